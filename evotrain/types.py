"""Type aliases and argument checks shared across evotrain.

Array names in evotrain say their axes: ``population`` is ``(pop_size, ...)``,
``fitness`` is ``(pop_size,)``; fitness is always maximized.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import numpy as np

PRNGKey = jax.Array
"""A typed JAX key (``jax.random.key``)."""

PyTree = Any
"""Any JAX pytree."""

Array = jax.Array

Population = jax.Array
"""Flat parameter vectors of a population, ``(pop_size, num_params)``."""

Fitness = jax.Array
"""One fitness value per individual, ``(pop_size,)``; higher is better."""

Metrics = dict[str, jax.Array]
"""Scalar (or small) arrays produced inside jit, read on the host once per generation."""


def positive_int(name: str, value: Any) -> int:
    """``value`` as an int, or a ValueError naming ``name`` if it is not an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def positive_float(name: str, value: Any) -> float:
    """``value`` as a float, or a ValueError naming ``name`` if it is not a finite number > 0."""
    value = float(value)
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a finite positive number, got {value}.")
    return value


def nonfinite_setting(value: Any, name: str) -> str | None:
    """The first non-finite float inside ``value`` (a setting: a number, or dicts, lists
    and tuples of them), as ``"name.key[i]"``; None when every float in it is finite.
    Objects of other types (an optax optimizer) are not looked into."""
    if isinstance(value, float | np.floating):
        return None if math.isfinite(value) else name
    if isinstance(value, dict):
        items = ((f"{name}.{k}", v) for k, v in value.items())
    elif isinstance(value, list | tuple):
        items = ((f"{name}[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    return next((bad for n, v in items if (bad := nonfinite_setting(v, n))), None)
