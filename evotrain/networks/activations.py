"""Named activation functions, shared by MLP policies and NEAT nodes.

Users may add their own with :func:`register_activation`.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from evotrain.types import Array

Activation = Callable[[Array], Array]


def _inv(x: Array) -> Array:
    safe = jnp.where(jnp.abs(x) < 1e-7, 1e-7, x)
    return 1.0 / safe


def _log(x: Array) -> Array:
    return jnp.log(jnp.maximum(x, 1e-7))


def _exp(x: Array) -> Array:
    return jnp.exp(jnp.clip(x, -60.0, 60.0))


ACTIVATIONS: dict[str, Activation] = {
    "tanh": jnp.tanh,
    "relu": jax.nn.relu,
    "sigmoid": jax.nn.sigmoid,
    "scaled_sigmoid": lambda x: jax.nn.sigmoid(5.0 * jnp.clip(x, -12.0, 12.0)),
    "identity": lambda x: x,
    "elu": jax.nn.elu,
    "gelu": jax.nn.gelu,
    "sin": jnp.sin,
    "gauss": lambda x: jnp.exp(-5.0 * jnp.square(jnp.clip(x, -3.4, 3.4))),
    "abs": jnp.abs,
    "clamped": lambda x: jnp.clip(x, -1.0, 1.0),
    "square": jnp.square,
    "inv": _inv,
    "log": _log,
    "exp": _exp,
}


def register_activation(name: str, fn: Activation, *, overwrite: bool = False) -> None:
    """Adds an elementwise activation under ``name``.

    Raises:
        ValueError: if ``name`` is taken and ``overwrite`` is False.
    """
    if name in ACTIVATIONS and not overwrite:
        raise ValueError(f"Activation {name!r} already exists; pass overwrite=True to replace it.")
    ACTIVATIONS[name] = fn


def get_activation(name: str) -> Activation:
    """Looks up an activation by name.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"Unknown activation {name!r}; known: {', '.join(sorted(ACTIVATIONS))}. "
            "Add one with evotrain.networks.register_activation(name, fn)."
        ) from None
