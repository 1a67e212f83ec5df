"""NEAT compatibility distance (neat-python's formulation).

For nodes (inputs excluded) and connections separately:
``(compatibility_homologous * sum of differences of matching genes +
compatibility_disjoint * number of unmatched genes) / max(count_a, count_b)``; the genome
distance is the sum of the two. Node differences: ``|bias|`` + ``|response|`` + activation
differs + aggregation differs; connection differences: ``|weight|`` + enabled differs.
"""

from __future__ import annotations

import jax.numpy as jnp

from evotrain.neat.align import Reference, match_conns, match_nodes, reference
from evotrain.neat.genome import (
    C_ENABLED,
    C_IN,
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


def _part(matched: Array, n_a: Array, n_b: Array, diffs: Array, params: NEATParams) -> Array:
    homologous = jnp.sum(jnp.where(matched, diffs, 0.0))
    n_match = matched.sum()
    disjoint = (n_a - n_match) + (n_b - n_match)
    denom = jnp.maximum(jnp.maximum(n_a, n_b), 1)
    return (
        params.compatibility_homologous * homologous + params.compatibility_disjoint * disjoint
    ) / denom


def distance_to(a: Genome, ref: Reference, params: NEATParams, num_inputs: int) -> Array:
    """Compatibility distance between ``a`` and the genome of a sorted :class:`Reference`."""
    b = ref.genome
    a_hidden = ~jnp.isnan(a.nodes[:, N_KEY]) & (a.nodes[:, N_KEY] >= num_inputs)
    b_hidden = ~jnp.isnan(b.nodes[:, N_KEY]) & (b.nodes[:, N_KEY] >= num_inputs)
    rows, found = match_nodes(a, ref)
    other = b.nodes[rows]
    node_diffs = (
        jnp.abs(a.nodes[:, N_BIAS] - other[:, N_BIAS])
        + jnp.abs(a.nodes[:, N_RESPONSE] - other[:, N_RESPONSE])
        + (a.nodes[:, N_ACT] != other[:, N_ACT])
        + (a.nodes[:, N_AGG] != other[:, N_AGG])
    )
    node_part = _part(found & a_hidden, a_hidden.sum(), b_hidden.sum(), node_diffs, params)
    crows, cfound = match_conns(a, ref)
    cother = b.conns[crows]
    conn_diffs = jnp.abs(a.conns[:, C_WEIGHT] - cother[:, C_WEIGHT]) + (
        a.conns[:, C_ENABLED] != cother[:, C_ENABLED]
    )
    n_a = (~jnp.isnan(a.conns[:, C_IN])).sum()
    n_b = (~jnp.isnan(b.conns[:, C_IN])).sum()
    conn_part = _part(cfound, n_a, n_b, conn_diffs, params)
    return node_part + conn_part


def distance(a: Genome, b: Genome, params: NEATParams, num_inputs: int) -> Array:
    """Compatibility distance between two genomes, ``()``."""
    return distance_to(a, reference(b), params, num_inputs)
