"""Array namespaces: the vocabulary an activation ``fn(xp, x)`` is written in, per backend.

An activation in :mod:`evotrain.networks.activation_table` is written once against a namespace
``xp`` and runs on whatever ``xp`` is passed: JAX arrays, NumPy float64 values or SymPy
expressions. Every namespace provides :data:`VOCABULARY`:

* elementwise functions with NumPy's meaning: ``exp``, ``expm1``, ``log``, ``tanh``,
  ``sin``, ``abs``, ``square``, ``clip(x, lo, hi)``, ``maximum(a, b)``, ``minimum(a, b)``,
  ``where(cond, a, b)``;
* named nonlinearities, which each backend implements in its own way: ``sigmoid``,
  ``relu``, ``elu``, ``gelu`` (the tanh approximation) and ``safe_inv`` (``1 / x`` with
  ``|x| < 1e-7`` read as ``1e-7``).

The JAX namespace is ``jax.numpy`` with ``jax.nn``'s sigmoid, relu, elu and gelu: exactly the
functions the forward pass has always called, so its results stay the same bit for bit. The
NumPy namespace computes the same functions in float64; the SymPy one lives in
:mod:`evotrain.viz.sympy_namespace` (its named functions print compactly as LaTeX and as
plain Python). Any other attribute falls back to the namespace's base module (``jax.numpy``,
``numpy``, ``sympy``): usable, but only :data:`VOCABULARY` exists in every backend.

This module imports NumPy only; JAX and SymPy are imported when their namespace is asked for.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

VOCABULARY = (
    *("exp", "expm1", "log", "tanh", "sin", "abs", "square"),
    *("clip", "maximum", "minimum", "where"),
    *("sigmoid", "relu", "elu", "gelu", "safe_inv"),
)
"""The functions every array namespace provides."""

BACKENDS = ("jax", "numpy", "sympy")
"""The backends an activation has a form in."""


class ArrayNamespace:
    """A base module (``jax.numpy``, ``numpy``, ``sympy``) plus named functions.

    Args:
        backend: one of :data:`BACKENDS`, for error messages.
        base: the module other attribute lookups fall back to.
        functions: names defined (or redefined) on top of ``base``.
    """

    def __init__(self, backend: str, base: ModuleType, functions: dict[str, Callable]) -> None:
        self.backend = backend
        self._base = base
        self.__dict__.update(functions)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return getattr(self._base, name)
        except AttributeError:
            raise AttributeError(
                f"The {self.backend} array namespace has no {name!r}; an activation meant "
                f"for every backend may use only: {', '.join(VOCABULARY)}."
            ) from None

    def __repr__(self) -> str:
        return f"ArrayNamespace({self.backend!r})"


def _safe_inv(xp: Any, x: Any) -> Any:
    return 1.0 / xp.where(xp.abs(x) < 1e-7, 1e-7, x)


@functools.cache
def jax_namespace() -> ArrayNamespace:
    """``jax.numpy`` with ``jax.nn``'s named nonlinearities (imports JAX)."""
    import jax
    import jax.numpy as jnp

    functions = {
        "sigmoid": jax.nn.sigmoid,
        "relu": jax.nn.relu,
        "elu": jax.nn.elu,
        "gelu": jax.nn.gelu,
        "safe_inv": functools.partial(_safe_inv, jnp),
    }
    return ArrayNamespace("jax", jnp, functions)


def _np_sigmoid(x: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-x))


def _np_relu(x: Any) -> Any:
    return np.maximum(x, 0.0)


def _np_elu(x: Any) -> Any:
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def _np_gelu(x: Any) -> Any:  # jax.nn.gelu's formula (approximate=True), in float64
    return x * (0.5 * (1.0 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3))))


@functools.cache
def numpy_namespace() -> ArrayNamespace:
    """``numpy`` with float64 forms of the named nonlinearities (no JAX needed)."""
    functions = {
        "sigmoid": _np_sigmoid,
        "relu": _np_relu,
        "elu": _np_elu,
        "gelu": _np_gelu,
        "safe_inv": functools.partial(_safe_inv, np),
    }
    return ArrayNamespace("numpy", np, functions)


def namespace(backend: str) -> ArrayNamespace:
    """The array namespace of ``backend`` (one of :data:`BACKENDS`), built on first use.

    Raises:
        ValueError: for an unknown backend.
    """
    if backend == "jax":
        return jax_namespace()
    if backend == "numpy":
        return numpy_namespace()
    if backend == "sympy":
        from evotrain.viz.sympy_namespace import sympy_namespace

        return sympy_namespace()
    raise ValueError(f"Unknown backend {backend!r}; known: {', '.join(BACKENDS)}.")


__all__ = [
    "BACKENDS",
    "VOCABULARY",
    "ArrayNamespace",
    "jax_namespace",
    "namespace",
    "numpy_namespace",
]
