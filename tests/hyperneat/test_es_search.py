"""ES-HyperNEAT's masked search equals a plain recursive implementation of the algorithm
(Risi & Stanley 2012), written here, on random CPPNs; bad settings are refused.

Both sides read the CPPN's weights from one table over the 1/8 lattice (every quadtree
centre, band neighbour and neuron below lies on it), so both see the same float32 values
and any difference is the search's.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.hyperneat.es_search import ESConfig, points, search

STEP = 8  # lattice points per unit
LATTICE = np.arange(-2 * STEP, 2 * STEP + 1) / STEP  # [-2, 2]


def random_table(seed: int) -> np.ndarray:
    """``(33, 33, 33, 33)`` float32 raw weights of a smooth random CPPN on the lattice
    (odd seeds vary slowly, so that pruning stops at coarse cells too)."""
    rng = np.random.default_rng(seed)
    scale = 0.5 if seed % 2 else 2.0
    xa, ya, xb, yb = np.meshgrid(LATTICE, LATTICE, LATTICE, LATTICE, indexing="ij")
    coords = np.stack([xa, ya, xb, yb], axis=-1)
    total = np.zeros(xa.shape)
    for _ in range(3):
        freq = rng.normal(0.0, scale, 4)
        total += rng.normal(0.0, 1.0) * np.sin(coords @ freq + rng.uniform(0, 2 * np.pi))
    return np.tanh(total).astype(np.float32)


def _index(points_: np.ndarray) -> np.ndarray:
    return np.rint((points_ + 2.0) * STEP).astype(np.int32)


def jax_weights(table: np.ndarray):
    t = jnp.asarray(table)

    def weight_fn(src, dst):
        i, j = jnp.rint((src + 2.0) * STEP).astype(jnp.int32), jnp.rint((dst + 2.0) * STEP)
        j = j.astype(jnp.int32)
        return t[i[:, 0], i[:, 1], j[:, 0], j[:, 1]]

    return weight_fn


# ------------------------------------------------------------- the reference, recursive
@dataclasses.dataclass
class Cell:
    x: float
    y: float
    width: float
    level: int
    tested: float = 0.0
    weight: float = 0.0
    children: list = dataclasses.field(default_factory=list)


class Reference:
    """The algorithm as the paper describes it: a quadtree built breadth first, pruned
    depth first, connections found by the band test, neurons kept on input-output paths."""

    def __init__(self, table: np.ndarray, config: ESConfig) -> None:
        self.table, self.c = table, config

    def raw(self, src, dst) -> np.float32:
        i, j = _index(np.asarray(src)), _index(np.asarray(dst))
        return self.table[i[0], i[1], j[0], j[1]]

    def query(self, source, point, outgoing):
        """``(tested value, connection weight)`` between ``source`` and ``point``."""
        raw = self.raw(source, point) if outgoing else self.raw(point, source)
        clipped = np.float32(np.clip(raw, -1.0, 1.0))
        t = np.float32(self.c.weight_threshold)
        magnitude = (abs(clipped) - t) / (np.float32(1.0) - t) * np.float32(self.c.max_weight)
        weight = float(np.sign(clipped) * magnitude) if abs(clipped) > t else 0.0
        clipped = float(clipped)
        return (weight if self.c.threshold_units == "scaled" else clipped), weight

    def leaves(self, cell):
        if not cell.children:
            return [cell.tested]
        return [v for child in cell.children for v in self.leaves(child)]

    def variance(self, cell):
        return float(np.var(np.asarray(self.leaves(cell), np.float64)))

    def tree(self, source, outgoing):
        root = Cell(0.0, 0.0, 1.0, 1)
        queue = [root]
        while queue:
            p = queue.pop(0)
            half = p.width / 2.0
            for dx, dy in ((-1, -1), (-1, 1), (1, 1), (1, -1)):
                child = Cell(p.x + dx * half, p.y + dy * half, half, p.level + 1)
                child.tested, child.weight = self.query(source, (child.x, child.y), outgoing)
                p.children.append(child)
            spread = float(np.var(np.asarray([c.tested for c in p.children], np.float64)))
            if p.level < self.c.initial_depth or (
                p.level < self.c.max_depth and spread > self.c.division_threshold
            ):
                queue.extend(p.children)
        return root

    def prune(self, source, p, outgoing, found):
        for c in p.children:
            if self.variance(c) > self.c.variance_threshold:
                self.prune(source, c, outgoing, found)
                continue
            d = p.width

            def diff(dx, dy, c=c, d=d):
                return abs(c.tested - self.query(source, (c.x + dx * d, c.y + dy * d), outgoing)[0])

            band = max(min(diff(0, -1), diff(0, 1)), min(diff(-1, 0), diff(1, 0)))
            if band > self.c.band_threshold and c.weight != 0.0:
                found[(c.x, c.y)] = c.weight

    def found(self, source, outgoing):
        out = {}
        self.prune(source, self.tree(source, outgoing), outgoing, out)
        return out

    def allowed(self, a, b):
        return a != b and (not self.c.feedforward or a[1] < b[1])

    def network(self, inputs, outputs):
        links = {}
        hidden = set()
        for a in inputs:
            for b, w in self.found(a, True).items():
                if self.allowed(a, b):
                    links[(a, b)] = w
                    hidden.add(b)
        explored, frontier = set(), set(hidden)
        for _ in range(self.c.iteration_level):
            for a in frontier:
                for b, w in self.found(a, True).items():
                    if self.allowed(a, b):
                        links[(a, b)] = w
                        hidden.add(b)
            explored |= frontier
            frontier = hidden - explored
        for o in outputs:
            for a, w in self.found(o, False).items():
                if self.allowed(a, o):
                    links[(a, o)] = w
        from_inputs, to_outputs = set(inputs), set(outputs)
        changed = True
        while changed:
            before = (len(from_inputs), len(to_outputs))
            for a, b in links:
                if a in from_inputs:
                    from_inputs.add(b)
                if b in to_outputs:
                    to_outputs.add(a)
            changed = before != (len(from_inputs), len(to_outputs))
        kept = from_inputs & to_outputs
        links = {k: w for k, w in links.items() if k[0] in kept and k[1] in kept}
        return kept - set(inputs) - set(outputs), links


def _as_sets(net, inputs, outputs, config):
    coords = [tuple(map(float, p)) for p in (*inputs, *points(config), *outputs)]
    n_in = len(inputs)
    hidden = {coords[n_in + i] for i in np.flatnonzero(np.asarray(net.hidden))}
    connect, weight = np.asarray(net.connect), np.asarray(net.weight)
    links = {(coords[a], coords[b]): float(weight[a, b]) for a, b in zip(*np.nonzero(connect))}
    return hidden, links


INPUTS = [(-1.0, -1.0), (-0.375, -1.0), (0.375, -1.0), (1.0, -1.0)]
OUTPUTS = [(-0.5, 1.0), (0.5, 1.0)]
CASES = [
    ESConfig(),  # PUREPLES' units, a full depth-3 tree
    ESConfig(threshold_units="raw", variance_threshold=0.01, band_threshold=0.05),
    ESConfig(initial_depth=2, max_depth=3, division_threshold=0.02, iteration_level=2),
    ESConfig(variance_threshold=0.5, band_threshold=0.1, feedforward=False),
    ESConfig(initial_depth=1, max_depth=2, division_threshold=0.0, iteration_level=0),
]


@pytest.mark.parametrize("config", CASES, ids=range(len(CASES)))
def test_the_masked_search_equals_the_recursive_algorithm(config):
    inputs, outputs = np.asarray(INPUTS, np.float32), np.asarray(OUTPUTS, np.float32)
    run = jax.jit(lambda table: search(jax_weights(table), inputs, outputs, config))
    grown = 0
    for seed in range(4):
        table = random_table(seed)
        hidden, links = _as_sets(run(table), INPUTS, OUTPUTS, config)
        want_hidden, want_links = Reference(table, config).network(INPUTS, OUTPUTS)
        assert hidden == want_hidden, seed
        assert links.keys() == want_links.keys(), seed
        for key, w in want_links.items():
            assert links[key] == pytest.approx(w, rel=1e-6, abs=1e-6)
        grown += len(hidden) > 0 and len(links) > 0
    assert grown >= 1  # the cases find networks, not only empty ones


def test_the_full_tree_has_84_points_at_depth_3_and_bad_settings_are_refused():
    assert points(ESConfig()).shape == (84, 2) and ESConfig().num_points == 84
    assert len({tuple(p) for p in points(ESConfig()).tolist()}) == 84  # all distinct
    for bad, match in (
        ({"initial_depth": 4, "max_depth": 3}, "initial_depth <= max_depth"),
        ({"max_depth": 6}, "max_depth <= 5"),
        ({"band_threshold": -0.1}, "band_threshold must be >= 0"),
        ({"threshold_units": "pixels"}, "threshold_units must be one of"),
        ({"weight_threshold": 1.0}, r"weight_threshold in \[0, 1\)"),
        ({"iteration_level": -1}, "iteration_level must be >= 0"),
    ):
        with pytest.raises(ValueError, match=match):
            ESConfig(**bad)


def test_a_population_of_neat_cppns_is_searched_at_once_as_one_by_one():
    """vmapped over a population of NEAT CPPN genomes, each gets the network its own search
    finds, and the search's weights are its CPPN's scaled outputs."""
    from evotrain.hyperneat.cppn import CPPNConfig, evaluate
    from evotrain.hyperneat.es_search import cppn_weight_fn
    from evotrain.hyperneat.network import CPPN_ACTIVATIONS
    from evotrain.neat.genome import GenomeConfig, initial_population
    from evotrain.neat.mutation import mutate_population, population_draws
    from evotrain.neat.params import NEATParams
    from evotrain.networks.neat_network import NEATNetwork

    genome = GenomeConfig(5, 1, 14, 30, activation_options=CPPN_ACTIVATIONS)
    params = NEATParams(node_add=0.5, conn_add=0.7, activation_replace_rate=0.3)
    key = jax.random.key(4)
    genomes = initial_population(key, genome, 6, params.bias, params.response, params.weight)
    next_key = jnp.asarray(genome.num_io, jnp.float32)
    for k in jax.random.split(key, 4):
        uniform, normal = population_draws(k, 6, genome)
        genomes, next_key = mutate_population(uniform, normal, genomes, next_key, params, genome)
    network, cppn, config = NEATNetwork(genome), CPPNConfig(), ESConfig(band_threshold=0.1)
    inputs, outputs = np.asarray(INPUTS, np.float32), np.asarray(OUTPUTS, np.float32)

    def one(g):
        return search(cppn_weight_fn(network, network.prepare(g), cppn), inputs, outputs, config)

    together = jax.jit(jax.vmap(one))(genomes)
    alone = jax.jit(one)
    found = 0
    for i in range(6):
        single = alone(jax.tree_util.tree_map(lambda x, i=i: x[i], genomes))
        # vmapped, XLA evaluates the CPPN's node functions in vector form, a few float32
        # ulps from the scalar form (2e-6 seen on weights scaled by 5 / 0.8); a tested
        # value within that of a threshold may then decide the other way, so a handful of
        # the hundreds of connections may differ. Another individual's search would differ
        # in most of them.
        a, b = np.asarray(together.connect[i]), np.asarray(single.connect)
        assert (a != b).sum() <= max(2, 0.02 * b.sum()), i
        both = a & b
        np.testing.assert_allclose(
            np.asarray(together.weight[i])[both], np.asarray(single.weight)[both], atol=1e-5
        )
        found += int(b.sum())
    assert found > 0
    # A kept input connection's weight is the CPPN's output from the input to that point.
    plan = network.prepare(jax.tree_util.tree_map(lambda x: x[0], genomes))
    src, dst = np.nonzero(np.asarray(together.connect[0])[: len(INPUTS)])
    if len(src):
        pts = points(config)
        pairs = np.concatenate([inputs[src], pts[dst - len(INPUTS)]], axis=1)
        distance = np.linalg.norm(pairs[:, 2:] - pairs[:, :2], axis=1, keepdims=True)
        raw = evaluate(network, plan, jnp.asarray(np.concatenate([pairs, distance], 1)))[:, 0]
        from evotrain.hyperneat.es_search import scaled

        np.testing.assert_allclose(
            np.asarray(together.weight[0])[src, dst], scaled(raw, config), rtol=1e-5, atol=1e-5
        )
