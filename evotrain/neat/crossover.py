"""NEAT crossover: genes aligned by historical marker.

Nodes align by key, connections by their ``(in_key, out_key)`` marker. Matching genes
take each attribute at random from either parent; disjoint and excess genes come from the
fitter parent (the first argument), whose slot layout the child keeps. A matching
connection disabled in both parents stays disabled; disabled in exactly one, it is disabled
in the child with probability 0.75 (Stanley & Miikkulainen 2002), so that crossing a genome
with itself returns it unchanged.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from evotrain.neat.draws import Draws
from evotrain.neat.genome import C_ENABLED, C_IN, C_OUT, C_WEIGHT, N_KEY, Genome

DISABLE_IF_EITHER = 0.75


def _match_rows(keys_a: jax.Array, keys_b: jax.Array) -> tuple[jax.Array, jax.Array]:
    """For each row of ``a`` the matching row of ``b`` (by all key columns) and whether any."""
    eq = jnp.all(keys_a[:, None, :] == keys_b[None, :, :], axis=-1)
    return jnp.argmax(eq, axis=1), eq.any(axis=1)


def uniforms_needed(max_nodes: int, max_conns: int) -> int:
    """Uniforms one :func:`crossover` takes."""
    return max_nodes * 5 + 2 * max_conns


def crossover(draws: Draws, fitter: Genome, other: Genome) -> Genome:
    """A child of two genomes; ``fitter`` is the parent with the higher fitness."""
    idx, matched = _match_rows(
        fitter.nodes[:, N_KEY : N_KEY + 1], other.nodes[:, N_KEY : N_KEY + 1]
    )
    partner = other.nodes[idx]
    pick = draws.bernoulli(0.5, fitter.nodes.shape)
    nodes = jnp.where(matched[:, None] & pick, partner, fitter.nodes)
    nodes = nodes.at[:, N_KEY].set(fitter.nodes[:, N_KEY])

    cidx, cmatched = _match_rows(
        fitter.conns[:, C_IN : C_OUT + 1], other.conns[:, C_IN : C_OUT + 1]
    )
    cpartner = other.conns[cidx]
    cpick = draws.bernoulli(0.5, fitter.conns.shape[:1])
    weight = jnp.where(cmatched & cpick, cpartner[:, C_WEIGHT], fitter.conns[:, C_WEIGHT])
    off_a = fitter.conns[:, C_ENABLED] < 0.5
    off_b = cpartner[:, C_ENABLED] < 0.5
    one_disabled = cmatched & (off_a != off_b)
    disable = draws.bernoulli(DISABLE_IF_EITHER, fitter.conns.shape[:1])
    enabled = jnp.where(one_disabled, jnp.where(disable, 0.0, 1.0), fitter.conns[:, C_ENABLED])
    conns = fitter.conns.at[:, C_WEIGHT].set(weight).at[:, C_ENABLED].set(enabled)
    conns = jnp.where(jnp.isnan(fitter.conns[:, C_IN])[:, None], jnp.nan, conns)
    return Genome(nodes=nodes, conns=conns)
