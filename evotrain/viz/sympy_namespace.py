"""The SymPy array namespace: activations as SymPy expressions that print as LaTeX and Python.

:mod:`evotrain.networks.activation_table` writes each activation once as ``fn(xp, x)``; with ``xp``
the namespace built here, ``fn(xp, z)`` is the activation's formula in a SymPy expression
``z``. The formulas keep the clamps of the JAX versions, and every function here prints as
plain Python with the standard library's ``math`` (SymPy's ``pycode``), so the source that
:func:`evotrain.viz.to_python` generates needs nothing else.

Max, min and the branching nonlinearities (elu, safe_inv) are named SymPy functions
(:func:`named_function`) instead of SymPy's ``Max``/``Min``/``Piecewise``: see there why.
``where`` (for user activations) is a ``Piecewise``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy.codegen.cfunctions import expm1

from evotrain.networks.array_namespaces import ArrayNamespace


def named_function(
    name: str, numeric: Callable[..., float], python: Callable[..., str], latex_name: str = ""
) -> type[sp.Function]:
    """A SymPy function printed as ``latex_name(...)`` in LaTeX (default
    ``\\operatorname{name}``), as ``python(*args)`` in Python source, and evaluated by
    ``numeric`` on numbers.

    Used for max, min and the branching functions (elu, inv, maxabs). SymPy's own ``Max``
    and ``Min`` try to order their arguments symbolically, which takes minutes on a deep
    network's formulas, and as ``Piecewise`` a branching function's argument would appear
    in every branch and condition, so substituted formulas would grow exponentially."""
    latex_name = latex_name or rf"\operatorname{{{name}}}"

    def eval_(cls, *args):
        if args and all(a.is_number for a in args):
            return sp.Float(numeric(*(float(a) for a in args)))
        return None

    def latex(self, printer, exp=None):
        text = rf"{latex_name}\left({', '.join(printer._print(a) for a in self.args)}\right)"
        return text if exp is None else rf"{text}^{{{exp}}}"

    def pythoncode(self, printer):
        return python(*(f"({printer._print(a)})" for a in self.args))

    def evalf_(self, prec):
        args = [a.evalf(prec) for a in self.args]
        if all(a.is_Number for a in args):
            return sp.Float(numeric(*(float(a) for a in args)), prec)
        return None

    return type(
        name,
        (sp.Function,),
        {
            "eval": classmethod(eval_),
            "_latex": latex,
            "_pythoncode": pythoncode,
            "_eval_evalf": evalf_,
        },
    )


SMax = named_function("max", max, lambda *a: f"max({', '.join(a)})", r"\max")
SMin = named_function("min", min, lambda *a: f"min({', '.join(a)})", r"\min")
Elu = named_function(
    "elu",
    lambda z: z if z > 0 else math.expm1(z),
    lambda z: f"({z} if {z} > 0 else math.expm1({z}))",
)
SafeInv = named_function(
    "inv",
    lambda z: 1e7 if abs(z) < 1e-7 else 1.0 / z,
    lambda z: f"(1e7 if abs({z}) < 1e-7 else 1.0 / {z})",
)


def _maximum(a: Any, b: Any) -> sp.Expr:
    return SMax(sp.sympify(a), sp.sympify(b))


def _minimum(a: Any, b: Any) -> sp.Expr:
    return SMin(sp.sympify(a), sp.sympify(b))


def _clip(z: sp.Expr, lo: float, hi: float) -> sp.Expr:
    return SMin(SMax(z, sp.Float(lo)), sp.Float(hi))


def _where(cond: Any, a: Any, b: Any) -> sp.Expr:
    return sp.Piecewise((sp.sympify(a), cond), (sp.sympify(b), True))


def _sigmoid(z: sp.Expr) -> sp.Expr:
    # 1 / (1 + exp(-z)), written so that plain Python floats cannot overflow in exp.
    return (1 + sp.tanh(z / 2)) / 2


def _gelu(z: sp.Expr) -> sp.Expr:  # jax.nn.gelu's default (tanh) approximation
    return z / 2 * (1 + sp.tanh(sp.Float(math.sqrt(2 / math.pi)) * (z + sp.Float(0.044715) * z**3)))


@functools.cache
def sympy_namespace() -> ArrayNamespace:
    """The :data:`~evotrain.networks.array_namespaces.VOCABULARY` over SymPy expressions; other
    names fall back to ``sympy`` (``xp.cos``, ``xp.sqrt``, ...)."""
    functions = {
        "exp": sp.exp,
        "expm1": expm1,
        "log": sp.log,
        "tanh": sp.tanh,
        "sin": sp.sin,
        "abs": sp.Abs,
        "square": lambda z: z**2,
        "clip": _clip,
        "maximum": _maximum,
        "minimum": _minimum,
        "where": _where,
        "sigmoid": _sigmoid,
        "relu": lambda z: SMax(z, sp.Integer(0)),
        "elu": Elu,
        "gelu": _gelu,
        "safe_inv": SafeInv,
    }
    return ArrayNamespace("sympy", sp, functions)


__all__ = ["Elu", "SMax", "SMin", "SafeInv", "named_function", "sympy_namespace"]
