"""MAP-Elites over NEAT genomes: a batch is mutated copies of elites, and with
``crossover_rate`` NEAT crossings of two elites (genes aligned by historical marker, the
fitter elite's structure kept)."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.evaluation.result import Evaluation
from evotrain.neat.genome import C_ENABLED, C_IN, C_OUT, C_WEIGHT, GenomeConfig
from evotrain.neat.params import NEATParams
from evotrain.qd import GridLayout
from evotrain.strategies.genome_map_elites import GenomeMAPElites, GenomeMAPElitesConfig

GENOME = GenomeConfig(num_inputs=2, num_outputs=1, max_nodes=12, max_conns=24)
LAYOUT = GridLayout((4, 4), (-1.0, -1.0), (1.0, 1.0))
GROW = NEATParams(node_add=0.5, conn_add=0.5)
# Every mutation off: a child is exactly what selection and crossover made.
FROZEN = dataclasses.replace(
    GROW,
    **{
        f.name: 0.0
        for f in dataclasses.fields(NEATParams)
        if f.name in ("node_add", "node_delete", "conn_add", "conn_delete")
        or f.name.endswith(("_mutate_rate", "_replace_rate"))
    },
)


def _filled_archive(rate: float):
    """A strategy and a state whose archive holds genomes of different structures."""
    strategy = GenomeMAPElites(GenomeMAPElitesConfig(GENOME, 32, LAYOUT, crossover_rate=rate))
    state = strategy.init(jax.random.key(0), GROW)
    for k in jax.random.split(jax.random.key(1), 4):
        k_ask, k_eval = jax.random.split(k)
        population, state = strategy.ask(k_ask, state, GROW)
        d = jax.random.uniform(k_eval, (32, 2), minval=-1.0, maxval=1.0)
        f = -jnp.sum(d**2, axis=1)
        state, _ = strategy.tell(
            k, population, Evaluation(f, jnp.int32(0), jnp.int32(0), descriptors=d), state, GROW
        )
    assert int(state.archive.filled.sum()) > 4
    return strategy, state


def _links(genome, i):
    """``{(in, out): (weight, enabled)}`` of genome row ``i``'s connections."""
    conns = np.asarray(genome.conns[i])
    used = ~np.isnan(conns[:, C_IN])
    return {(c[C_IN], c[C_OUT]): (c[C_WEIGHT], c[C_ENABLED] > 0.5) for c in conns[used]}


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_children_are_copies_or_crossings_of_elites(rate):
    strategy, state = _filled_archive(rate)
    archive = state.archive
    cells = np.flatnonzero(np.asarray(archive.filled))
    elites = [_links(archive.genotypes, c) for c in cells]
    children, _ = strategy.ask(jax.random.key(7), state, FROZEN)
    crossed = 0
    for i in range(32):
        child = _links(children, i)
        if child in elites:
            continue  # an elite's copy (or the crossing of an elite with itself)
        assert rate == 1.0, "without crossover every child is an elite's copy"
        # A crossing keeps the structure of one elite (the fitter parent) and takes each
        # matching weight from either parent: a weight some elite has.
        same = [j for j, e in enumerate(elites) if e.keys() == child.keys()]
        assert same, "a crossing keeps one elite's connections"
        weights = {w for e in elites for w, _ in e.values()}
        assert all(w in weights for w, _ in child.values())
        crossed += 1
    if rate == 1.0:
        assert crossed > 0


def test_an_impossible_crossover_rate_is_refused():
    with pytest.raises(ValueError, match=r"crossover_rate must be in \[0, 1\], got 1.5"):
        GenomeMAPElitesConfig(GENOME, 8, LAYOUT, crossover_rate=1.5)
