"""Fitness shaping: rank transforms that make updates invariant to the fitness scale."""

from __future__ import annotations

import jax.numpy as jnp

from evotrain.types import Array, Fitness


def ranks(fitness: Fitness) -> Array:
    """0-based ranks, ascending (the lowest fitness gets 0); tied values share their mean rank.

    Returns:
        ``(pop_size,)`` float32 (halves where ties span an even number of places).
    """
    ordered = jnp.sort(fitness)
    first = jnp.searchsorted(ordered, fitness, side="left")
    last = jnp.searchsorted(ordered, fitness, side="right") - 1
    return (first + last).astype(jnp.float32) / 2.0


def centered_ranks(fitness: Fitness) -> Array:
    """Centered ranks in ``[-0.5, 0.5]`` (Salimans et al. 2017), ``(pop_size,)`` float32."""
    n = fitness.shape[0]
    if n == 1:
        return jnp.zeros((1,), jnp.float32)
    return ranks(fitness) / (n - 1) - 0.5


def sanitize(fitness: Fitness) -> tuple[Array, Array]:
    """Replaces non-finite fitness by ``-inf`` (worst for selection).

    Returns:
        ``(fitness (pop_size,), nonfinite_count ())``; ``+inf`` counts as non-finite too.
    """
    finite = jnp.isfinite(fitness)
    return jnp.where(finite, fitness, -jnp.inf), jnp.sum(~finite).astype(jnp.int32)
