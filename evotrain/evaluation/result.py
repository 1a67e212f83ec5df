"""The evaluation record: what evaluating a population, or a part of it, gives.

Every evaluator returns an :class:`Evaluation`: the jitted rollouts, function fitting, the
host (Gymnasium) evaluator and Ray workers. A population evaluated in parts (chunks of
``pop_batch_size``, devices, host slices, Ray workers) is put together by the one
:func:`combine`, which joins per-individual fields in population order, adds the totals
and keeps the largest episode length; only how a field's parts are held differs
(:data:`STACKED`, :func:`across_devices`, :data:`HOST_SLICES`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct

from evotrain.evaluation.normalization import ObsBatchStats
from evotrain.types import Array


@struct.dataclass
class Evaluation:
    """What evaluating ``n`` individuals gives.

    Attributes:
        fitness: ``(n,)`` reduced episode returns (may hold non-finite values).
        env_steps: ``()`` int32 env steps actually taken.
        episode_length_max: ``()`` int32 longest episode (loop iterations of the rollout).
        obs_stats: observation sums for the running normalizer (None when it is off). The
            host evaluator's parts keep one row per episode lane until they are combined
            (``count (lanes,)``, ``sum``/``sumsq`` ``(lanes, obs_size)``), so the sum does
            not depend on how the population was sliced.
        descriptors: ``(n, d)`` behaviour descriptors, or None when none were asked for.
    """

    fitness: Array
    env_steps: Array
    episode_length_max: Array
    obs_stats: ObsBatchStats | None = None
    descriptors: Array | None = None


Scores = Evaluation | Array
"""What a strategy's ``tell`` takes: an :class:`Evaluation`, or a bare fitness ``(n,)``."""


def as_evaluation(scores: Scores) -> Evaluation:
    """The record a strategy's ``tell`` reads.

    ``tell`` takes an :class:`Evaluation` (the training step passes the population's, with
    its fitness already sanitized) or, as a shorthand for the ask/tell API, a bare fitness
    array ``(n,)``: that becomes a record with no descriptors and no env steps.

    Args:
        scores: an :class:`Evaluation`, or fitness ``(n,)``.
    """
    if isinstance(scores, Evaluation):
        return scores
    zero = jnp.zeros((), jnp.int32)
    return Evaluation(fitness=jnp.asarray(scores), env_steps=zero, episode_length_max=zero)


@dataclasses.dataclass(frozen=True)
class Parts:
    """How the parts of a population's evaluation are held, as three reductions over one
    field's parts.

    Attributes:
        join: per-individual arrays of every part -> one array, in population order.
        total: counts and sums of every part -> their total.
        largest: a maximum of every part -> the largest.
    """

    join: Callable[[Any], Any]
    total: Callable[[Any], Any]
    largest: Callable[[Any], Any]


def combine(parts: Evaluation | Sequence[Evaluation], how: Parts) -> Evaluation:
    """One :class:`Evaluation` of the whole population from its parts.

    Args:
        parts: an :class:`Evaluation` whose fields hold every part as ``how`` expects (a
            leading part axis for :data:`STACKED`, this device's part for
            :func:`across_devices`), or the part evaluations in population order
            (:data:`HOST_SLICES`).
        how: the reductions for that holding.

    Returns:
        The population's evaluation.
    """
    if isinstance(parts, Sequence):
        parts = _transposed(parts)
    stats = parts.obs_stats
    if stats is not None:
        stats = ObsBatchStats(
            count=how.total(stats.count), sum=how.total(stats.sum), sumsq=how.total(stats.sumsq)
        )
    return Evaluation(
        fitness=how.join(parts.fitness),
        env_steps=how.total(parts.env_steps),
        episode_length_max=how.largest(parts.episode_length_max),
        obs_stats=stats,
        descriptors=None if parts.descriptors is None else how.join(parts.descriptors),
    )


def _transposed(parts: Sequence[Evaluation]) -> Evaluation:
    """The parts as one record whose fields list every part's value."""

    def every(get: Callable[[Evaluation], Any]) -> list[Any] | None:
        values = [get(p) for p in parts]
        return None if values[0] is None else values

    stats = None
    if parts[0].obs_stats is not None:
        stats = ObsBatchStats(
            count=[p.obs_stats.count for p in parts],
            sum=[p.obs_stats.sum for p in parts],
            sumsq=[p.obs_stats.sumsq for p in parts],
        )
    return Evaluation(
        fitness=every(lambda p: p.fitness),
        env_steps=every(lambda p: p.env_steps),
        episode_length_max=every(lambda p: p.episode_length_max),
        obs_stats=stats,
        descriptors=every(lambda p: p.descriptors),
    )


STACKED = Parts(
    join=lambda x: x.reshape((-1,) + x.shape[2:]),
    total=lambda x: x.sum(0),
    largest=lambda x: x.max(0),
)
"""Parts stacked on a leading axis (``lax.map`` over ``pop_batch_size`` chunks)."""


def across_devices(axis: str) -> Parts:
    """Each device holds its own part (inside ``shard_map`` over the mesh axis ``axis``);
    every device gets the whole."""
    return Parts(
        join=lambda x: jax.lax.all_gather(x, axis, tiled=True),
        total=lambda x: jax.lax.psum(x, axis),
        largest=lambda x: jax.lax.pmax(x, axis),
    )


def _on_device(x: Any) -> Array:
    """A host value as the jitted step takes it: float32 for floats, int32 otherwise."""
    x = np.asarray(x)
    return jnp.asarray(x, jnp.float32 if np.issubdtype(x.dtype, np.floating) else jnp.int32)


HOST_SLICES = Parts(
    join=lambda xs: _on_device(np.concatenate(xs)),
    total=lambda xs: _on_device(np.concatenate([np.atleast_1d(x) for x in xs]).sum(0)),
    largest=lambda xs: _on_device(max(int(x) for x in xs)),
)
"""A sequence of host-evaluated slices (NumPy, float64 sums), in population order: per-lane
observation sums are added over all lanes at once, in lane order."""


__all__ = [
    "HOST_SLICES",
    "STACKED",
    "Evaluation",
    "Parts",
    "Scores",
    "across_devices",
    "as_evaluation",
    "combine",
]
