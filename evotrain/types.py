"""Type aliases shared across evotrain.

Array names in evotrain say their axes: ``population`` is ``(pop_size, ...)``,
``fitness`` is ``(pop_size,)``; fitness is always maximized.
"""

from __future__ import annotations

from typing import Any

import jax

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
