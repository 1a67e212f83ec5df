"""NEAT crossover: genes aligned by historical marker.

Nodes align by key, connections by their ``(in_key, out_key)`` marker. Matching genes
take each attribute at random from either parent; disjoint and excess genes come from the
fitter parent (the first argument), whose slot layout the child keeps. A matching
connection disabled in both parents stays disabled; disabled in exactly one, it is disabled
in the child with probability 0.75 (Stanley & Miikkulainen 2002), so that crossing a genome
with itself returns it unchanged.
"""

from __future__ import annotations

import jax.numpy as jnp

from evotrain.neat.align import match_conns, match_nodes, reference
from evotrain.neat.draws import Draws
from evotrain.neat.genome import C_ENABLED, C_IN, C_WEIGHT, N_KEY, Genome

DISABLE_IF_EITHER = 0.75


def uniforms_needed(max_nodes: int, max_conns: int) -> int:
    """Uniforms one :func:`crossover` takes."""
    return max_nodes * 5 + 2 * max_conns


def crossover(draws: Draws, fitter: Genome, other: Genome) -> Genome:
    """A child of two genomes; ``fitter`` is the parent with the higher fitness."""
    ref = reference(other)
    idx, matched = match_nodes(fitter, ref)
    partner = other.nodes[idx]
    pick = draws.bernoulli(0.5, fitter.nodes.shape)
    nodes = jnp.where(matched[:, None] & pick, partner, fitter.nodes)
    nodes = nodes.at[:, N_KEY].set(fitter.nodes[:, N_KEY])

    cidx, cmatched = match_conns(fitter, ref)
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
