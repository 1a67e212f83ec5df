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


def z_scores(fitness: Fitness) -> Array:
    """``(fitness - mean) / std`` (0 where all are equal), ``(pop_size,)`` float32."""
    f = jnp.asarray(fitness, jnp.float32)
    return (f - f.mean()) / (f.std() + 1e-8)


def nes_utilities(fitness: Fitness) -> Array:
    """The rank-based utilities of NES (Wierstra et al. 2014; evosax's xNES/SNES weights):
    ``max(0, log(n/2 + 1) - log(k))`` for the ``k``-th best, normalized to sum to 1, minus
    ``1/n``. The better half gets positive weights falling off with rank; the whole sums
    to zero. Ties share the weight of their mean rank. ``(pop_size,)`` float32."""
    n = fitness.shape[0]
    k = jnp.arange(1, n + 1, dtype=jnp.float32)
    table = jnp.maximum(jnp.log(n / 2 + 1) - jnp.log(k), 0.0)
    table = table / table.sum() - 1.0 / n
    best_first = (n - 1) - ranks(fitness)  # 0 for the best
    low = jnp.floor(best_first).astype(jnp.int32)
    high = jnp.ceil(best_first).astype(jnp.int32)
    return (table[low] + table[high]) / 2


SHAPINGS = {
    "centered_rank": centered_ranks,
    "z_score": z_scores,
    "raw": lambda fitness: jnp.asarray(fitness, jnp.float32),
    "nes_utilities": nes_utilities,
}
"""Fitness shaping by name: ``(pop_size,)`` sanitized fitness -> ``(pop_size,)`` weights
(higher fitness, higher weight). ``z_score`` and ``raw`` use the values themselves, so a
non-finite fitness is given the worst finite value first (:func:`finite_floor`)."""


def finite_floor(fitness: Fitness) -> Array:
    """``fitness`` with non-finite entries replaced by the worst finite one (0 if none)."""
    finite = jnp.isfinite(fitness)
    worst = jnp.min(jnp.where(finite, fitness, jnp.inf))
    worst = jnp.where(jnp.any(finite), worst, 0.0)
    return jnp.where(finite, fitness, worst)


def shape(name: str, fitness: Fitness) -> Array:
    """``SHAPINGS[name]`` of ``fitness``, after :func:`finite_floor`."""
    return SHAPINGS[name](finite_floor(fitness))


def sanitize(fitness: Fitness) -> tuple[Array, Array]:
    """Replaces non-finite fitness by ``-inf`` (worst for selection).

    Returns:
        ``(fitness (pop_size,), nonfinite_count ())``; ``+inf`` counts as non-finite too.
    """
    finite = jnp.isfinite(fitness)
    return jnp.where(finite, fitness, -jnp.inf), jnp.sum(~finite).astype(jnp.int32)
