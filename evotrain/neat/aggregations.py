"""Named aggregation functions of NEAT nodes, over a node's masked incoming values.

Each takes ``values (..., k)`` and a boolean ``mask (..., k)`` of the entries that exist
and reduces the last axis. A node with no incoming connection aggregates to 0. Users may
add their own with :func:`register_aggregation`.
"""

from __future__ import annotations

from collections.abc import Callable

import jax.numpy as jnp

from evotrain.types import Array

Aggregation = Callable[[Array, Array], Array]


def _sum(values: Array, mask: Array) -> Array:
    return jnp.sum(jnp.where(mask, values, 0.0), axis=-1)


def _product(values: Array, mask: Array) -> Array:
    out = jnp.prod(jnp.where(mask, values, 1.0), axis=-1)
    return jnp.where(mask.any(-1), out, 0.0)


def _max(values: Array, mask: Array) -> Array:
    out = jnp.max(jnp.where(mask, values, -jnp.inf), axis=-1)
    return jnp.where(mask.any(-1), out, 0.0)


def _min(values: Array, mask: Array) -> Array:
    out = jnp.min(jnp.where(mask, values, jnp.inf), axis=-1)
    return jnp.where(mask.any(-1), out, 0.0)


def _mean(values: Array, mask: Array) -> Array:
    count = mask.sum(-1)
    return _sum(values, mask) / jnp.maximum(count, 1)


def _maxabs(values: Array, mask: Array) -> Array:
    masked = jnp.where(mask, values, 0.0)
    idx = jnp.argmax(jnp.abs(masked), axis=-1)
    return jnp.take_along_axis(masked, idx[..., None], axis=-1)[..., 0]


AGGREGATIONS: dict[str, Aggregation] = {
    "sum": _sum,
    "product": _product,
    "max": _max,
    "min": _min,
    "mean": _mean,
    "maxabs": _maxabs,
}


def register_aggregation(name: str, fn: Aggregation, *, overwrite: bool = False) -> None:
    """Adds ``fn(values, mask) -> reduced`` under ``name``.

    Raises:
        ValueError: if ``name`` is taken and ``overwrite`` is False.
    """
    if name in AGGREGATIONS and not overwrite:
        raise ValueError(f"Aggregation {name!r} already exists; pass overwrite=True to replace it.")
    AGGREGATIONS[name] = fn


def get_aggregation(name: str) -> Aggregation:
    """Looks up an aggregation by name.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    try:
        return AGGREGATIONS[name]
    except KeyError:
        raise ValueError(
            f"Unknown aggregation {name!r}; known: {', '.join(sorted(AGGREGATIONS))}. "
            "Add one with evotrain.neat.register_aggregation(name, fn)."
        ) from None
