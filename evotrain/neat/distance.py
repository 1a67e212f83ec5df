"""NEAT compatibility distance (neat-python's formulation).

For nodes (inputs excluded) and connections separately:
``(compatibility_homologous * sum of differences of matching genes +
compatibility_disjoint * number of unmatched genes) / max(count_a, count_b)``; the genome
distance is the sum of the two. Node differences: ``|bias|`` + ``|response|`` + activation
differs + aggregation differs; connection differences: ``|weight|`` + enabled differs.
"""

from __future__ import annotations

import jax.numpy as jnp

from evotrain.neat.genome import (
    C_ENABLED,
    C_IN,
    C_OUT,
    C_WEIGHT,
    N_ACT,
    N_AGG,
    N_BIAS,
    N_KEY,
    N_RESPONSE,
    Genome,
)
from evotrain.neat.params import NEATParams
from evotrain.types import Array


def _part(a_keys, b_keys, a_valid, b_valid, diff_fn, params: NEATParams) -> Array:
    eq = jnp.all(a_keys[:, None, :] == b_keys[None, :, :], axis=-1)
    eq = eq & a_valid[:, None] & b_valid[None, :]
    matched_a = eq.any(axis=1)
    idx = jnp.argmax(eq, axis=1)
    homologous = jnp.sum(jnp.where(matched_a, diff_fn(idx), 0.0))
    n_match = matched_a.sum()
    n_a, n_b = a_valid.sum(), b_valid.sum()
    disjoint = (n_a - n_match) + (n_b - n_match)
    denom = jnp.maximum(jnp.maximum(n_a, n_b), 1)
    return (
        params.compatibility_homologous * homologous + params.compatibility_disjoint * disjoint
    ) / denom


def distance(a: Genome, b: Genome, params: NEATParams, num_inputs: int) -> Array:
    """Compatibility distance between two genomes, ``()``."""
    a_nodes = ~jnp.isnan(a.nodes[:, N_KEY]) & (a.nodes[:, N_KEY] >= num_inputs)
    b_nodes = ~jnp.isnan(b.nodes[:, N_KEY]) & (b.nodes[:, N_KEY] >= num_inputs)

    def node_diff(idx):
        other = b.nodes[idx]
        return (
            jnp.abs(a.nodes[:, N_BIAS] - other[:, N_BIAS])
            + jnp.abs(a.nodes[:, N_RESPONSE] - other[:, N_RESPONSE])
            + (a.nodes[:, N_ACT] != other[:, N_ACT])
            + (a.nodes[:, N_AGG] != other[:, N_AGG])
        )

    def conn_diff(idx):
        other = b.conns[idx]
        return jnp.abs(a.conns[:, C_WEIGHT] - other[:, C_WEIGHT]) + (
            a.conns[:, C_ENABLED] != other[:, C_ENABLED]
        )

    node_part = _part(
        a.nodes[:, N_KEY : N_KEY + 1],
        b.nodes[:, N_KEY : N_KEY + 1],
        a_nodes,
        b_nodes,
        node_diff,
        params,
    )
    conn_part = _part(
        a.conns[:, C_IN : C_OUT + 1],
        b.conns[:, C_IN : C_OUT + 1],
        ~jnp.isnan(a.conns[:, C_IN]),
        ~jnp.isnan(b.conns[:, C_IN]),
        conn_diff,
        params,
    )
    return node_part + conn_part
