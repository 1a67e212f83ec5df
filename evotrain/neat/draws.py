"""Random numbers drawn in two blocks and handed out in slices.

Every ``jax.random`` call site compiles its own counter-based hash kernel, and on the CPU
those kernels are a large part of the compile time of a NEAT generation. A generation's
reproduction therefore draws one block of random bits up front, as uniforms and standard
normals, and every selection, crossover and mutation takes slices of it; the statistics are
those of independent draws.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from evotrain.types import Array, PRNGKey


class Draws:
    """Slices of pre-drawn uniforms in ``[0, 1)`` and standard normals.

    Args:
        uniform: ``(n_uniform,)`` uniforms.
        normal: ``(n_normal,)`` standard normals.

    Raises:
        ValueError: at trace time, when more numbers are taken than were drawn.
    """

    def __init__(self, uniform: Array, normal: Array) -> None:
        self._u, self._z = uniform, normal
        self._iu = self._iz = 0

    @staticmethod
    def population(key: PRNGKey, pop: int, n_uniform: int, n_normal: int) -> tuple[Array, Array]:
        """``(uniform (pop, n_uniform), normal (pop, max(n_normal, 1)))`` for :class:`Draws`
        rows, from one block of random bits (one hash kernel to compile)."""
        n_normal = max(n_normal, 1)
        bits = jax.random.bits(key, (pop, n_uniform + n_normal), jnp.uint32)
        # The top 23 bits as the mantissa of a float in [1, 2), as jax.random.uniform does.
        mantissa = jax.lax.shift_right_logical(bits, jnp.uint32(9)) | jnp.uint32(0x3F800000)
        unit = jax.lax.bitcast_convert_type(mantissa, jnp.float32) - 1.0
        # Standard normals by inverting the CDF of a uniform in (-1, 1).
        lo = jnp.nextafter(jnp.float32(-1.0), jnp.float32(0.0))
        normal = jnp.sqrt(2.0) * jax.scipy.special.erfinv(
            jnp.maximum(2.0 * unit[:, n_uniform:] - 1.0, lo)
        )
        return unit[:, :n_uniform], normal.astype(jnp.float32)

    def uniform(self, shape: tuple[int, ...] = ()) -> Array:
        start = self._iu
        n = math.prod(shape)
        self.skip_uniform(n)
        return self._u[start : start + n].reshape(shape)

    def skip_uniform(self, n: int) -> None:
        """Passes over ``n`` uniforms (taken elsewhere from the same row)."""
        if self._iu + n > self._u.shape[-1]:
            raise ValueError(f"Draws: {n} more uniforms requested, only {self._u.shape[-1]} drawn.")
        self._iu += n

    def normal(self, shape: tuple[int, ...] = ()) -> Array:
        n = math.prod(shape)
        if self._iz + n > self._z.shape[-1]:
            raise ValueError(f"Draws: {n} more normals requested, only {self._z.shape[-1]} drawn.")
        out = self._z[self._iz : self._iz + n].reshape(shape)
        self._iz += n
        return out

    def bernoulli(self, p: Array | float, shape: tuple[int, ...] = ()) -> Array:
        return self.uniform(shape) < p

    def choice(self, mask: Array) -> tuple[Array, Array]:
        """A uniformly chosen index where ``mask`` holds, and whether there was any.

        The argmax of i.i.d. uniforms restricted to the mask is uniform over the mask.
        """
        u = self.uniform(mask.shape)
        return jnp.argmax(jnp.where(mask, u, -1.0)), mask.any()

    def randint(self, high: Array | int, shape: tuple[int, ...] = ()) -> Array:
        """Integers uniform in ``[0, high)`` (``high >= 1``)."""
        u = self.uniform(shape)
        return jnp.minimum((u * high).astype(jnp.int32), jnp.asarray(high, jnp.int32) - 1)
