"""Fitness shaping: rank transforms that make updates invariant to the fitness scale."""

from __future__ import annotations

import jax.numpy as jnp

from evotrain.types import Array, Fitness


def ranks(fitness: Fitness) -> Array:
    """0-based ranks, ascending (the lowest fitness gets 0), ties broken by position."""
    return jnp.argsort(jnp.argsort(fitness, stable=True), stable=True)


def centered_ranks(fitness: Fitness) -> Array:
    """Centered ranks in ``[-0.5, 0.5]`` (Salimans et al. 2017), ``(pop_size,)`` float32."""
    n = fitness.shape[0]
    if n == 1:
        return jnp.zeros((1,), jnp.float32)
    return ranks(fitness).astype(jnp.float32) / (n - 1) - 0.5


def sanitize(fitness: Fitness) -> tuple[Array, Array]:
    """Replaces non-finite fitness by ``-inf`` (worst for selection).

    Returns:
        ``(fitness (pop_size,), nonfinite_count ())``; ``+inf`` counts as non-finite too.
    """
    finite = jnp.isfinite(fitness)
    return jnp.where(finite, fitness, -jnp.inf), jnp.sum(~finite).astype(jnp.int32)
