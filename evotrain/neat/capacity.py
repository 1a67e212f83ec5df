"""Capacity levels: run a generation over only the genome rows a population can use.

Genomes are stored at their full capacity ``(max_nodes, max_conns)``, but early in a run
they use a few rows, and every per-genome operation (alignment, distances, mutation,
network plans) costs in proportion to the capacity. A generation can therefore run on the
leading ``(n, c)`` rows of every genome whenever no genome uses a row beyond them, and its
result is padded back with NaN rows.

Rows are filled first-free, and one generation grows a genome by at most
:data:`NODE_GROWTH` node rows (add-node) and :data:`CONN_GROWTH` connection rows (the split's
two connections plus add-connection); crossover children keep their fitter parent's rows.
So a generation started with every used row below ``n - NODE_GROWTH`` and
``c - CONN_GROWTH`` never needs a row beyond ``(n, c)``: no mutation is refused for lack of
room that the full capacity would have had. Levels double from ``(16, 32)`` up to the full
capacity; the level is a function of the state alone, so runs stay deterministic.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from evotrain.neat.genome import Genome, GenomeConfig, conn_mask, node_mask
from evotrain.types import Array, PyTree

NODE_GROWTH = 1
CONN_GROWTH = 3
MIN_NODES = 16
MIN_CONNS = 32


def _pow2_at_least(x: int, floor: int) -> int:
    n = floor
    while n < x:
        n *= 2
    return n


def capacity_levels(config: GenomeConfig) -> tuple[tuple[int, int], ...]:
    """The ``(nodes, conns)`` capacities a generation may run at, smallest first; the last
    is the full ``(max_nodes, max_conns)``."""
    full_n, full_c = config.max_nodes, config.max_conns
    n = _pow2_at_least(config.num_io + NODE_GROWTH + 1, MIN_NODES)
    c = _pow2_at_least(config.num_inputs * config.num_outputs + CONN_GROWTH + 1, MIN_CONNS)
    levels = []
    while n < full_n or c < full_c:
        levels.append((min(n, full_n), min(c, full_c)))
        n, c = n * 2, c * 2
    levels.append((full_n, full_c))
    return tuple(levels)


def _genomes(tree: PyTree) -> list[Genome]:
    leaves = jax.tree_util.tree_leaves(tree, is_leaf=lambda x: isinstance(x, Genome))
    return [g for g in leaves if isinstance(g, Genome)]


def rows_used(tree: PyTree) -> tuple[Array, Array]:
    """One past the highest occupied node row and connection row of any genome in ``tree``.

    Returns:
        ``(nodes () int32, conns () int32)``.
    """

    def extent(rows_present: Array) -> Array:
        rows = rows_present.reshape(-1, rows_present.shape[-1]).any(axis=0)
        index = jnp.arange(1, rows.shape[0] + 1, dtype=jnp.int32)
        return jnp.max(jnp.where(rows, index, 0))

    genomes = _genomes(tree)
    nodes = jnp.max(jnp.stack([extent(node_mask(g)) for g in genomes]))
    conns = jnp.max(jnp.stack([extent(conn_mask(g)) for g in genomes]))
    return nodes, conns


def fits(level: tuple[int, int], nodes_used: Any, conns_used: Any) -> Any:
    """Whether a generation from genomes using these rows can run at ``level`` without
    running out of rows (Python ints give a bool, traced arrays a traced bool)."""
    n, c = level
    return (nodes_used + NODE_GROWTH <= n) & (conns_used + CONN_GROWTH <= c)


def level_for(levels: tuple[tuple[int, int], ...], nodes_used: int, conns_used: int) -> int:
    """Index of the smallest level a generation can run at without running out of rows."""
    for i, level in enumerate(levels[:-1]):
        if fits(level, nodes_used, conns_used):
            return i
    return len(levels) - 1


def _map_genomes(fn, tree: PyTree) -> PyTree:
    return jax.tree_util.tree_map(
        lambda x: fn(x) if isinstance(x, Genome) else x,
        tree,
        is_leaf=lambda x: isinstance(x, Genome),
    )


def shrink(tree: PyTree, nodes: int, conns: int) -> PyTree:
    """Every genome in ``tree`` cut to its leading ``nodes`` / ``conns`` rows."""
    return _map_genomes(
        lambda g: Genome(nodes=g.nodes[..., :nodes, :], conns=g.conns[..., :conns, :]), tree
    )


def grow(tree: PyTree, nodes: int, conns: int) -> PyTree:
    """Every genome in ``tree`` padded with NaN rows to ``nodes`` / ``conns`` rows."""

    def pad(x: Array, rows: int) -> Array:
        extra = rows - x.shape[-2]
        if extra == 0:
            return x
        widths = [(0, 0)] * (x.ndim - 2) + [(0, extra), (0, 0)]
        return jnp.pad(x, widths, constant_values=jnp.nan)

    return _map_genomes(
        lambda g: Genome(nodes=pad(g.nodes, nodes), conns=pad(g.conns, conns)), tree
    )


__all__ = [
    "CONN_GROWTH",
    "NODE_GROWTH",
    "capacity_levels",
    "fits",
    "grow",
    "level_for",
    "rows_used",
    "shrink",
]
