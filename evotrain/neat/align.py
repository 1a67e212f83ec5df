"""Aligning genes of two genomes by historical marker in ``O(n log n)``.

Nodes are identified by their key, connections by their ``(in_key, out_key)`` marker. One
genome is sorted once (:func:`reference`); each gene of the other is then found by a
vectorized binary search, so matching costs ``O(n log n)`` instead of the ``O(n^2)``
all-pairs comparison.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from flax import struct

from evotrain.neat.genome import C_IN, C_OUT, N_KEY, Genome
from evotrain.types import Array

_EMPTY = jnp.float32(jnp.finfo(jnp.float32).max)


@struct.dataclass
class Reference:
    """A genome with its markers sorted for searching.

    Attributes:
        node_keys: ``(N,)`` sorted node keys (empty rows last, as float32 max).
        node_rows: ``(N,)`` row of each sorted key in the genome.
        conn_in, conn_out: ``(C,)`` connection markers sorted lexicographically.
        conn_rows: ``(C,)`` row of each sorted marker in the genome.
        genome: the genome itself.
    """

    node_keys: Array
    node_rows: Array
    conn_in: Array
    conn_out: Array
    conn_rows: Array
    genome: Genome


def reference(genome: Genome) -> Reference:
    """Sorts one genome's markers (no leading axis)."""
    keys = jnp.where(jnp.isnan(genome.nodes[:, N_KEY]), _EMPTY, genome.nodes[:, N_KEY])
    node_rows = jnp.argsort(keys, stable=True)
    c_in = jnp.where(jnp.isnan(genome.conns[:, C_IN]), _EMPTY, genome.conns[:, C_IN])
    c_out = jnp.where(jnp.isnan(genome.conns[:, C_OUT]), _EMPTY, genome.conns[:, C_OUT])
    conn_rows = jnp.lexsort((c_out, c_in))
    return Reference(
        node_keys=keys[node_rows],
        node_rows=node_rows,
        conn_in=c_in[conn_rows],
        conn_out=c_out[conn_rows],
        conn_rows=conn_rows,
        genome=genome,
    )


def _search(sorted_a: Array, sorted_b: Array | None, qa: Array, qb: Array | None) -> Array:
    """Leftmost position of each query in a (lexicographically) sorted array."""
    n = sorted_a.shape[0]
    lo = jnp.zeros(qa.shape, jnp.int32)
    hi = jnp.full(qa.shape, n, jnp.int32)

    def halve(_, bounds):
        lo, hi = bounds
        mid = (lo + hi) // 2
        at = jnp.minimum(mid, n - 1)
        less = sorted_a[at] < qa
        if sorted_b is not None:
            less = less | ((sorted_a[at] == qa) & (sorted_b[at] < qb))
        return jnp.where(less & (lo < hi), mid + 1, lo), jnp.where(~less & (lo < hi), mid, hi)

    steps = max(1, math.ceil(math.log2(n + 1)))
    lo, _ = jax.lax.fori_loop(0, steps, halve, (lo, hi))
    return jnp.minimum(lo, n - 1)


def match_nodes(genome: Genome, ref: Reference) -> tuple[Array, Array]:
    """For each node row of ``genome``: the matching row in ``ref.genome`` and whether any."""
    keys = genome.nodes[:, N_KEY]
    pos = _search(ref.node_keys, None, keys, None)
    found = (ref.node_keys[pos] == keys) & ~jnp.isnan(keys)
    return ref.node_rows[pos], found


def match_conns(genome: Genome, ref: Reference) -> tuple[Array, Array]:
    """For each connection row of ``genome``: the matching row in ``ref.genome`` and whether any."""
    c_in, c_out = genome.conns[:, C_IN], genome.conns[:, C_OUT]
    pos = _search(ref.conn_in, ref.conn_out, c_in, c_out)
    found = (ref.conn_in[pos] == c_in) & (ref.conn_out[pos] == c_out) & ~jnp.isnan(c_in)
    return ref.conn_rows[pos], found


__all__ = ["Reference", "match_conns", "match_nodes", "reference"]
