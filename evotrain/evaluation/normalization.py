"""Running observation normalization (mean/variance merged across generations).

The statistics live in the training state and travel with saved models, so ``predict``
normalizes exactly as training did.
"""

from __future__ import annotations

import jax.numpy as jnp
from flax import struct

from evotrain.types import Array

CLIP = 5.0
EPS = 1e-8


@struct.dataclass
class NormState:
    """Running statistics of observations.

    Attributes:
        count: number of observations merged, ``()`` float32.
        mean: ``(obs_size,)``.
        m2: sum of squared deviations from the mean, ``(obs_size,)``.
    """

    count: Array
    mean: Array
    m2: Array

    @property
    def var(self) -> Array:
        return jnp.where(self.count > 1.0, self.m2 / jnp.maximum(self.count, 1.0), 1.0)


@struct.dataclass
class ObsBatchStats:
    """Sums over the observations seen in one generation (valid steps only).

    Attributes:
        count: ``()`` float32; sum: ``(obs_size,)``; sumsq: ``(obs_size,)``.
    """

    count: Array
    sum: Array
    sumsq: Array


def init_norm(obs_size: int) -> NormState:
    """Empty statistics (normalizing with them is the identity)."""
    return NormState(
        count=jnp.zeros((), jnp.float32),
        mean=jnp.zeros((obs_size,), jnp.float32),
        m2=jnp.zeros((obs_size,), jnp.float32),
    )


def normalize(state: NormState, obs: Array) -> Array:
    """``clip((obs - mean) / std, -5, 5)``; the identity while no observation was merged.

    Args:
        state: running statistics.
        obs: ``(..., obs_size)``.
    """
    std = jnp.sqrt(state.var + EPS)
    normed = jnp.clip((obs - state.mean) / std, -CLIP, CLIP)
    return jnp.where(state.count > 0.0, normed, obs)


def merge(state: NormState, batch: ObsBatchStats) -> NormState:
    """Merges one generation's observation sums into the running statistics (Chan et al.)."""
    n_b = batch.count
    safe_n_b = jnp.maximum(n_b, 1.0)
    mean_b = batch.sum / safe_n_b
    m2_b = jnp.maximum(batch.sumsq - n_b * jnp.square(mean_b), 0.0)
    total = state.count + n_b
    safe_total = jnp.maximum(total, 1.0)
    delta = mean_b - state.mean
    mean = state.mean + delta * n_b / safe_total
    m2 = state.m2 + m2_b + jnp.square(delta) * state.count * n_b / safe_total
    ok = (n_b > 0.0) & jnp.all(jnp.isfinite(mean)) & jnp.all(jnp.isfinite(m2))
    return NormState(
        count=jnp.where(ok, total, state.count),
        mean=jnp.where(ok, mean, state.mean),
        m2=jnp.where(ok, m2, state.m2),
    )
