"""Named activation functions of MLP policies and NEAT nodes, in JAX.

The activations live in :mod:`evotrain.networks.activation_table`, each written once over an array
namespace; this module is its JAX side. Users may add their own with
:func:`register_activation`.
"""

from __future__ import annotations

from collections.abc import Callable

from evotrain.networks.activation_table import ActivationForms, GenericActivation, add_activation
from evotrain.networks.array_namespaces import numpy_namespace
from evotrain.types import Array

Activation = Callable[[Array], Array]

ACTIVATIONS = ActivationForms("jax")
"""``name -> fn(x)`` over JAX arrays: a live view of the activation table."""


def _check_generic(name: str, fn: GenericActivation) -> None:
    """Calls ``fn(numpy namespace, x)`` once, so that a one-argument function passed with
    ``generic=True`` fails here rather than inside a jitted program."""
    import numpy as np

    try:
        with np.errstate(all="ignore"):
            fn(numpy_namespace(), np.linspace(-2.0, 2.0, 5))
    except Exception as error:
        raise ValueError(
            f"Activation {name!r}: generic=True needs fn(xp, x) over an array namespace "
            f"(xp.exp, xp.where, xp.clip, ...), but fn(numpy namespace, x) raised {error!r}."
        ) from error


def register_activation(
    name: str,
    fn: Activation | GenericActivation,
    *,
    generic: bool = False,
    bounded: bool = False,
    description: str = "",
    overwrite: bool = False,
) -> None:
    """Adds an elementwise activation under ``name``.

    Args:
        name: the name genomes and policies use.
        fn: with ``generic=True``, ``fn(xp, x)`` written once over an array namespace ``xp``
            (``xp.exp``, ``xp.tanh``, ``xp.where``, ``xp.clip``, ``xp.maximum``, ...; see
            :mod:`evotrain.networks.array_namespaces`): it then runs in JAX, in
            :class:`~evotrain.networks.numpy_network.NumpyNetwork` and in the formula export.
            Otherwise ``fn(x)`` on JAX arrays, for JAX alone.
        generic: whether ``fn`` takes ``(xp, x)``.
        bounded: every value of ``fn`` lies within [-1, 1] (NEAT then warns when output
            nodes use it for a bounded box action).
        description: one line, for listings.
        overwrite: replace an activation of the same name (all its forms).

    Example::

        register_activation(
            "softsign", lambda xp, x: x / (1 + xp.abs(x)), generic=True, bounded=True
        )

    Raises:
        ValueError: if ``name`` is taken and ``overwrite`` is False, or a generic ``fn``
            fails on NumPy values.
    """
    if generic:
        _check_generic(name, fn)
        add_activation(name, fn, bounded=bounded, description=description, overwrite=overwrite)
    else:
        add_activation(
            name,
            bounded=bounded,
            description=description,
            forms={"jax": fn},
            overwrite=overwrite,
        )


def get_activation(name: str) -> Activation:
    """Looks up an activation's JAX form by name.

    Raises:
        ValueError: for an unknown name, listing the known ones, or one without a JAX form.
    """
    return ACTIVATIONS.lookup(name)
