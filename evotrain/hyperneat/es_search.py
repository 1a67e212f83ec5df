"""ES-HyperNEAT's search for hidden neurons (Risi & Stanley 2012), as masks over fixed shapes.

ES-HyperNEAT lets the CPPN place the hidden neurons. From a source neuron at ``a`` it
divides the square ``[-1, 1]^2`` into a quadtree, querying the CPPN's weight from ``a`` to
each cell's centre, and keeps a connection to a cell's centre where the weight pattern
varies (variance of the leaves below a cell above ``variance_threshold``: look deeper)
and stands out from its neighbours on both sides of one axis (the band test: the
smaller difference to the left and right neighbours, or to the top and bottom ones,
above ``band_threshold``; the neighbours lie one parent width away). Hidden neurons are
found from the inputs forward, then from the hidden neurons found for
``iteration_level`` more rounds; the outputs look backwards (the weight from each cell to
the output); last, only neurons on a path from an input to an output are kept.

Here the quadtree is a fixed set of points: the cell centres of every level, ``4 + 16 +
... + 4^max_depth`` of them (84 at depth 3), each level a regular grid. The CPPN is queried
once per level on that grid padded by one cell (the band test's neighbours are the
adjacent grid points), and division, pruning, the band test and the path search are
masks over those points, so that one source's search is a fixed-shape computation that
``vmap`` runs for every source and every individual at once. A cell is divided below
``initial_depth`` always and up to ``max_depth`` where its four children vary more than
``division_threshold``; with ``initial_depth == max_depth`` (the usual setting) the tree
is full.

Thresholds apply to the weights as ``threshold_units`` says: ``"scaled"`` to the
connection weights (the raw output past ``weight_threshold``, scaled to ``max_weight``,
as PUREPLES does), ``"raw"`` to the CPPN's raw outputs clipped to ``[-1, 1]`` (as Risi's
release and MultiNEAT do). A connection's weight is always the scaled one, and a weight
of 0 (an output within the threshold) is never a connection. In a feedforward network
connections go only towards larger ``y`` (PUREPLES' rule, which keeps the network
acyclic).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from evotrain.hyperneat.cppn import CPPNConfig, cppn_inputs, evaluate, to_weights
from evotrain.networks.base import Network
from evotrain.types import Array, PyTree

THRESHOLD_UNITS = ("scaled", "raw")

WeightFn = Callable[[Array, Array], Array]
"""``weight_fn(sources (n, 2), targets (n, 2)) -> (n,)`` raw CPPN weight outputs."""


@dataclasses.dataclass(frozen=True)
class ESConfig:
    """The search's settings (see the module docs).

    Raises:
        ValueError: impossible depths or thresholds, named.
    """

    initial_depth: int = 3
    max_depth: int = 3
    division_threshold: float = 0.5
    variance_threshold: float = 0.03
    band_threshold: float = 0.3
    iteration_level: int = 1
    max_weight: float = 5.0
    weight_threshold: float = 0.2
    threshold_units: str = "scaled"
    feedforward: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.initial_depth <= self.max_depth <= 5:
            raise ValueError(
                "Need 1 <= initial_depth <= max_depth <= 5 (a depth-5 tree already has 1,364 "
                f"points), got initial_depth={self.initial_depth}, max_depth={self.max_depth}."
            )
        for name in ("division_threshold", "variance_threshold", "band_threshold"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}.")
        if self.iteration_level < 0:
            raise ValueError(f"iteration_level must be >= 0, got {self.iteration_level}.")
        if not self.max_weight > 0 or not 0 <= self.weight_threshold < 1:
            raise ValueError(
                "max_weight must be positive and weight_threshold in [0, 1), got "
                f"{self.max_weight} and {self.weight_threshold}."
            )
        if self.threshold_units not in THRESHOLD_UNITS:
            raise ValueError(
                f"threshold_units must be one of {THRESHOLD_UNITS}, got {self.threshold_units!r}."
            )

    @property
    def num_points(self) -> int:
        """Cell centres of the tree: ``4 + 16 + ... + 4^max_depth``."""
        return sum(4**level for level in range(1, self.max_depth + 1))


def level_sides(config: ESConfig) -> list[int]:
    """Cells per side of each level of the tree, ``[2, 4, ..., 2^max_depth]``."""
    return [2**level for level in range(1, config.max_depth + 1)]


def grid(side: int, pad: int = 0) -> np.ndarray:
    """``(side + 2 pad, side + 2 pad, 2)`` float32 cell centres of a ``side`` x ``side``
    grid over ``[-1, 1]^2`` (``[i, j]`` at ``x_i, y_j``), extended by ``pad`` cells."""
    axis = -1.0 + (2.0 * np.arange(-pad, side + pad) + 1.0) / side
    xs, ys = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([xs, ys], axis=-1).astype(np.float32)


def points(config: ESConfig) -> np.ndarray:
    """``(num_points, 2)`` float32 the candidate hidden positions: every level's cell
    centres, level after level, each row-major (``[i, j]`` at ``i * side + j``)."""
    return np.concatenate([grid(s).reshape(-1, 2) for s in level_sides(config)])


def scaled(raw: Array, config: ESConfig) -> Array:
    """Connection weights from raw CPPN outputs: 0 within ``weight_threshold``, the rest
    scaled so that the threshold maps to 0 and an output of 1 to ``max_weight`` (HyperNEAT's
    rule, :func:`~evotrain.hyperneat.cppn.to_weights`)."""
    rule = CPPNConfig(weight_threshold=config.weight_threshold, max_weight=config.max_weight)
    return to_weights(raw, rule)


def cppn_weight_fn(network: Network, plan: PyTree, config: CPPNConfig) -> WeightFn:
    """A CPPN's raw weight output (its first) as the search's ``weight_fn``.

    Args:
        network: the CPPN as a network (a ``NEATNetwork`` over the CPPN genome layout).
        plan: the CPPN genome's prepared plan (``network.prepare(genome)``).
        config: the CPPN's inputs (coordinates, distance, bias).
    """

    def weight_fn(sources: Array, targets: Array) -> Array:
        inputs = jax.vmap(lambda a, b: cppn_inputs(a, b, config))(sources, targets)
        return evaluate(network, plan, inputs)[:, 0]

    return weight_fn


def _leaf_stats(values: list[Array], divided: list[Array]) -> list[tuple[Array, Array, Array]]:
    """Per level, per cell: ``(count, sum, sum of squares)`` of the leaf values below it
    (the cell itself when it was not divided), bottom up."""
    stats: list[tuple[Array, Array, Array]] = [None] * len(values)  # type: ignore[list-item]
    for level in reversed(range(len(values))):
        v = values[level]
        leaf = (jnp.ones_like(v), v, v * v)
        if level + 1 < len(values):
            side = v.shape[0]
            below = tuple(x.reshape(side, 2, side, 2).sum(axis=(1, 3)) for x in stats[level + 1])
            leaf = tuple(jnp.where(divided[level], b, a) for a, b in zip(leaf, below))
        stats[level] = leaf
    return stats


def _subtree_variance(values: list[Array], divided: list[Array]) -> list[Array]:
    """Per level, per cell: the variance of the leaf values below it (0 for a leaf), in two
    passes (the mean first) as ``numpy.var`` computes it."""
    stats = _leaf_stats(values, divided)
    means = [s / c for c, s, _ in stats]
    out = []
    for level in range(len(values)):
        # Squared deviations of every leaf below from this level's cell mean, summed up.
        total = None
        for deeper in reversed(range(level, len(values))):
            v = values[deeper]
            factor = v.shape[0] // values[level].shape[0]
            mean = jnp.repeat(jnp.repeat(means[level], factor, 0), factor, 1)
            dev = (v - mean) ** 2
            if total is not None:
                side = v.shape[0]
                below = total.reshape(side, 2, side, 2).sum(axis=(1, 3))
                dev = jnp.where(divided[deeper], below, dev)
            total = dev
        out.append(total / stats[level][0])
    return out


def extract(weights: list[Array], config: ESConfig) -> tuple[Array, Array]:
    """One source's connections, from the CPPN's weights on every level's padded grid.

    Args:
        weights: per level ``l`` (sides ``2, 4, ...``), ``(side + 2, side + 2)`` raw CPPN
            weights between the source and each cell centre of the padded grid.
        config: the search's settings.

    Returns:
        ``(connect (num_points,) bool, weight (num_points,) float32)`` over :func:`points`:
        which cell centres the source connects with, and the connection weights.
    """
    raw = [jnp.clip(w, -1.0, 1.0) for w in weights]
    weight = [scaled(w, config) for w in weights]
    tested = weight if config.threshold_units == "scaled" else raw
    inner = [t[1:-1, 1:-1] for t in tested]
    depth = len(inner)

    # Division, breadth first from the root (tree level 1; ``inner[k]`` holds level k + 2):
    # a cell that is divided has its four children computed; a divided cell passes them on
    # to be divided in turn below the initial depth, and up to the maximum where the four
    # vary more than the division threshold. The root is divided.
    def passes_on(tree_level: int, spread: Array) -> Array:
        return (tree_level < config.initial_depth) | (
            (tree_level < config.max_depth) & (spread > config.division_threshold)
        )

    def spread_of_children(level: int) -> Array:
        side = inner[level].shape[0] if level >= 0 else 1
        return inner[level + 1].reshape(side, 2, side, 2).var(axis=(1, 3))

    handed = passes_on(1, spread_of_children(-1))  # (1, 1): the root passes its children on
    divided = []
    for level in range(depth):
        here = jnp.repeat(jnp.repeat(handed, 2, 0), 2, 1)  # cells that were passed on
        if level + 1 < depth:
            divided.append(here)
            handed = here & passes_on(level + 2, spread_of_children(level))
        else:
            divided.append(jnp.zeros_like(here))
    variance = _subtree_variance(inner, divided)
    # Pruning: from the root, look into a cell whose leaves vary above the threshold; a cell
    # that varies less is a candidate, tested against its neighbours one parent width away
    # (its own level's adjacent cells).
    connect, out_weight = [], []
    look = jnp.ones((1, 1), bool)  # the root is looked into
    for level in range(depth):
        here = jnp.repeat(jnp.repeat(look, 2, 0), 2, 1)
        deeper = variance[level] > config.variance_threshold
        t = tested[level]
        centre = t[1:-1, 1:-1]
        left, right = jnp.abs(centre - t[:-2, 1:-1]), jnp.abs(centre - t[2:, 1:-1])
        down, up = jnp.abs(centre - t[1:-1, :-2]), jnp.abs(centre - t[1:-1, 2:])
        band = jnp.maximum(jnp.minimum(down, up), jnp.minimum(left, right))
        w = weight[level][1:-1, 1:-1]
        candidate = here & ~deeper & (band > config.band_threshold) & (w != 0.0)
        connect.append(candidate.reshape(-1))
        out_weight.append(w.reshape(-1))
        look = here & deeper
    return jnp.concatenate(connect), jnp.concatenate(out_weight)


def source_weights(
    weight_fn: WeightFn, source: Array, config: ESConfig, outgoing: bool
) -> list[Array]:
    """The raw CPPN weights between ``source`` ``(2,)`` and every padded grid point of
    every level (from the source when ``outgoing``, else towards it)."""
    out = []
    for side in level_sides(config):
        cells = jnp.asarray(grid(side, pad=1)).reshape(-1, 2)
        here = jnp.broadcast_to(source, cells.shape)
        pair = (here, cells) if outgoing else (cells, here)
        out.append(weight_fn(*pair).reshape(side + 2, side + 2))
    return out


@dataclasses.dataclass(frozen=True)
class ESNetwork:
    """What the search found, over ``num_inputs + num_points + num_outputs`` neurons
    (inputs, the candidate hidden positions of :func:`points`, outputs).

    Attributes:
        hidden: ``(num_points,)`` bool: the positions that became hidden neurons.
        connect: ``(n, n)`` bool ``[source, target]``: the connections kept.
        weight: ``(n, n)`` float32 their weights (0 elsewhere).
    """

    hidden: Array
    connect: Array
    weight: Array


jax.tree_util.register_dataclass(
    ESNetwork, data_fields=["hidden", "connect", "weight"], meta_fields=[]
)


def _reach(adjacency: Array, start: Array) -> Array:
    """``(n,)`` bool the neurons reachable from ``start`` along ``adjacency[src, dst]``."""
    n = start.shape[0]

    def step(reached: Array, _: None) -> tuple[Array, None]:
        return reached | jnp.any(adjacency & reached[:, None], axis=0), None

    return jax.lax.scan(step, start, None, length=n)[0]


def search(weight_fn: WeightFn, inputs: Array, outputs: Array, config: ESConfig) -> ESNetwork:
    """ES-HyperNEAT's network for one CPPN (see the module docs).

    Args:
        weight_fn: the CPPN's raw weight output for batches of (source, target) points.
        inputs: ``(num_inputs, 2)`` input neuron positions.
        outputs: ``(num_outputs, 2)`` output neuron positions.
        config: the search's settings.

    Returns:
        The hidden neurons and connections kept.
    """
    pts = jnp.asarray(points(config))
    p, n_in, n_out = pts.shape[0], inputs.shape[0], outputs.shape[0]

    def outgoing(source: Array) -> tuple[Array, Array]:
        return extract(source_weights(weight_fn, source, config, True), config)

    def incoming(target: Array) -> tuple[Array, Array]:
        return extract(source_weights(weight_fn, target, config, False), config)

    def allowed(src: Array, dst: Array) -> Array:  # (a, 2), (b, 2) -> (a, b)
        differs = jnp.any(src[:, None] != dst[None, :], axis=-1)
        if not config.feedforward:
            return differs
        return differs & (src[:, None, 1] < dst[None, :, 1])

    in_c, in_w = jax.vmap(outgoing)(inputs)  # (n_in, p)
    in_c = in_c & allowed(inputs, pts)
    hh_c, hh_w = jax.vmap(outgoing)(pts)  # (p, p): every position's own search, once
    hh_c = hh_c & allowed(pts, pts)
    out_c, out_w = jax.vmap(incoming)(outputs)  # (n_out, p): from position to output
    out_c = out_c & allowed(pts, outputs).T
    # Hidden neurons: found from the inputs, then from hidden ones for iteration_level rounds.
    hidden = jnp.any(in_c, axis=0)
    explored = jnp.zeros((p,), bool)
    for _ in range(config.iteration_level):
        explored = hidden
        hidden = hidden | jnp.any(hh_c & explored[:, None], axis=0)
    hh_c = hh_c & explored[:, None]
    # Every connection found, over inputs, positions and outputs.
    n = n_in + p + n_out
    connect = jnp.zeros((n, n), bool)
    weight = jnp.zeros((n, n), jnp.float32)
    hid = slice(n_in, n_in + p)
    connect = connect.at[:n_in, hid].set(in_c).at[hid, hid].set(hh_c)
    connect = connect.at[hid, n_in + p :].set(out_c.T)
    weight = weight.at[:n_in, hid].set(in_w).at[hid, hid].set(hh_w)
    weight = weight.at[hid, n_in + p :].set(out_w.T)
    # Keep neurons on a path from an input to an output, and the connections between them.
    is_input = jnp.arange(n) < n_in
    is_output = jnp.arange(n) >= n_in + p
    kept = _reach(connect, is_input) & _reach(connect.T, is_output)
    connect = connect & kept[:, None] & kept[None, :]
    return ESNetwork(
        hidden=kept[hid],
        connect=connect,
        weight=jnp.where(connect, weight, 0.0),
    )


__all__ = [
    "ESConfig",
    "ESNetwork",
    "THRESHOLD_UNITS",
    "cppn_weight_fn",
    "extract",
    "grid",
    "level_sides",
    "points",
    "scaled",
    "search",
    "source_weights",
]
