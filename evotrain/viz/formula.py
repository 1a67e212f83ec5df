"""A NEAT network as formulas: SymPy expressions, LaTeX, and plain Python source.

Works on an exported genome (``model.best_genome``, a dict; see
:func:`evotrain.neat.export.genome_to_dict`), so it needs neither JAX nor the model. Every
node computes ``activation(bias + response * aggregation(w_i * v_i))`` over its enabled
incoming connections, exactly as :class:`evotrain.networks.numpy_network.NumpyNetwork` and the JAX
forward pass do, including the clamps some activations apply.

Only feedforward genomes have a closed form; a recurrent network's outputs depend on its
state across steps.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp
from sympy.printing.pycode import pycode

from evotrain.networks.activation_table import ActivationForms
from evotrain.viz.graph import enabled_connections
from evotrain.viz.sympy_namespace import SMax, SMin, named_function

MaxAbs = named_function(
    "maxabs",
    lambda *values: max(values, key=abs),  # the first of largest magnitude, as argmax picks it
    lambda *a: f"max(({', '.join(a)},), key=abs)",
)

SYMPY_ACTIVATIONS = ActivationForms(
    "sympy",
    hint="Or give only its SymPy form with evotrain.viz.register_sympy_activation(name, fn).",
)
"""``name -> fn(z)`` over SymPy expressions (same clamps as the JAX versions): a live view
of the activation table (:mod:`evotrain.networks.activation_table`), which writes each activation
once for every backend."""

SYMPY_AGGREGATIONS: dict[str, Callable[[Sequence[sp.Expr]], sp.Expr]] = {
    "sum": lambda t: sp.Add(*t),
    "product": lambda t: sp.Mul(*t),
    "max": lambda t: SMax(*t),
    "min": lambda t: SMin(*t),
    "mean": lambda t: sp.Add(*t) / len(t),
    "maxabs": lambda t: MaxAbs(*t),
}
"""SymPy forms of evotrain's aggregations, over a non-empty list of terms."""


def register_sympy_activation(name: str, fn: Callable[[sp.Expr], sp.Expr]) -> None:
    """Teaches the formula export a custom activation as a SymPy function of one expression.

    For one registered with :func:`evotrain.networks.register_activation` as a JAX function
    of one array. One registered with ``generic=True`` needs nothing more.
    """
    SYMPY_ACTIVATIONS[name] = fn


def _lookup_aggregation(name: str) -> Callable[[Sequence[sp.Expr]], sp.Expr]:
    if name not in SYMPY_AGGREGATIONS:
        raise ValueError(
            f"The formula export does not know the aggregation {name!r}; "
            f"known: {', '.join(sorted(SYMPY_AGGREGATIONS))}."
        )
    return SYMPY_AGGREGATIONS[name]


def _require_feedforward(genome: dict[str, Any]) -> None:
    if not genome.get("feedforward", True):
        raise ValueError(
            "Formulas exist only for feedforward genomes: a recurrent network's outputs "
            "depend on its node values from earlier steps. Train with NEAT('FeedForward', ...)."
        )


def _incoming(genome: dict[str, Any]) -> dict[int, list[tuple[int, float]]]:
    incoming: dict[int, list[tuple[int, float]]] = {int(n["key"]): [] for n in genome["nodes"]}
    for src, dst, weight in enabled_connections(genome):
        incoming[dst].append((src, weight))
    return incoming


def _order(genome: dict[str, Any], incoming: dict[int, list[tuple[int, float]]]) -> list[int]:
    """The non-input node keys the outputs depend on, each after all its sources (hidden
    nodes that reach no output are left out: they cannot change the result)."""
    n_in, n_out = int(genome["num_inputs"]), int(genome["num_outputs"])
    done: set[int] = set(range(n_in))
    order: list[int] = []

    def visit(key: int, stack: frozenset[int]) -> None:
        if key in done:
            return
        if key in stack:
            raise ValueError("The genome has a cycle, so it is not feedforward.")
        for src, _ in incoming[key]:
            visit(src, stack | {key})
        done.add(key)
        order.append(key)

    for key in range(n_in, n_in + n_out):
        visit(key, frozenset())
    needed = len(order)  # the post-order from the outputs holds exactly what they depend on
    for key in sorted(incoming):  # the rest is visited only to refuse cycles anywhere
        visit(key, frozenset())
    return order[:needed]


def network_equations(
    genome: dict[str, Any], input_names: Sequence[str] | None = None
) -> tuple[list[sp.Symbol], list[tuple[sp.Symbol, sp.Expr]], list[sp.Symbol]]:
    """The network as a sequence of assignments, one per node the outputs depend on.

    Args:
        genome: an exported feedforward genome.
        input_names: names of the input symbols (default ``x0, x1, ...``).

    Returns:
        ``(inputs, assignments, outputs)``: the input symbols, ``(symbol, expression)``
        pairs in evaluation order (hidden nodes ``h<key>``, outputs ``y0, y1, ...``; each
        expression uses only inputs and earlier symbols), and the output symbols.
    """
    _require_feedforward(genome)
    n_in, n_out = int(genome["num_inputs"]), int(genome["num_outputs"])
    names = list(input_names) if input_names is not None else [f"x{i}" for i in range(n_in)]
    if len(names) != n_in:
        raise ValueError(f"Got {len(names)} input names for a genome with {n_in} inputs.")
    inputs = [sp.Symbol(n, real=True) for n in names]
    nodes = {int(n["key"]): n for n in genome["nodes"]}
    incoming = _incoming(genome)
    symbols: dict[int, sp.Symbol] = dict(enumerate(inputs))
    for key in nodes:
        if key >= n_in:
            is_out = key < n_in + n_out
            name = f"y{key - n_in}" if is_out else f"h{key}"
            symbols[key] = sp.Symbol(name, real=True)
    assignments = []
    for key in _order(genome, incoming):
        node = nodes[key]
        terms = [sp.Float(w) * symbols[src] for src, w in incoming[key]]
        agg = _lookup_aggregation(node["aggregation"])(terms) if terms else sp.Integer(0)
        act_name = node["activation"]
        if genome.get("output_activation") is not None and key < n_in + n_out:
            act_name = genome["output_activation"]
        act = SYMPY_ACTIVATIONS.lookup(act_name)
        z = sp.Float(node["bias"]) + sp.Float(node["response"]) * agg
        assignments.append((symbols[key], act(z)))
    outputs = [symbols[n_in + i] for i in range(n_out)]
    return inputs, assignments, outputs


def to_sympy(genome: dict[str, Any], input_names: Sequence[str] | None = None) -> list[sp.Expr]:
    """``(num_outputs,)`` SymPy expressions of the outputs in the inputs alone."""
    _, assignments, outputs = network_equations(genome, input_names)
    values: dict[sp.Symbol, sp.Expr] = {}
    for sym, expr in assignments:
        values[sym] = expr.xreplace(values)
    return [values[y] for y in outputs]


def to_latex(
    genome: dict[str, Any], input_names: Sequence[str] | None = None, digits: int | None = 4
) -> str:
    """The network as LaTeX, one equation per output (an ``aligned`` block), hidden nodes
    substituted.

    Args:
        genome: an exported feedforward genome.
        input_names: names of the inputs (default ``x0, x1, ...``).
        digits: significant digits of the constants shown (None: full precision).
    """
    outputs = to_sympy(genome, input_names)
    if digits is not None:
        outputs = [e.xreplace({f: sp.Float(f, digits) for f in e.atoms(sp.Float)}) for e in outputs]
    lines = [rf"y_{{{i}}} &= {sp.latex(e)}" for i, e in enumerate(outputs)]
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def to_python(
    genome: dict[str, Any],
    function_name: str = "forward",
    input_names: Sequence[str] | None = None,
) -> str:
    """Python source of a function ``function_name(obs) -> list[float]`` computing the
    network with the standard library's ``math`` only.

    ``obs`` is a sequence of ``num_inputs`` numbers; the result has ``num_outputs``
    entries. Hidden nodes become local variables, so the code grows linearly with the
    network (no repeated subexpressions).
    """
    if not function_name.isidentifier() or keyword.iskeyword(function_name):
        raise ValueError(f"{function_name!r} is not a valid Python function name.")
    inputs, assignments, outputs = network_equations(genome, input_names)
    for sym in inputs:
        if not sym.name.isidentifier() or keyword.iskeyword(sym.name):
            raise ValueError(f"Input name {sym.name!r} is not a valid Python identifier.")
    body = [f"    {', '.join(s.name for s in inputs)}{',' if len(inputs) == 1 else ''} = obs"]
    body += [
        f"    {sym.name} = {pycode(expr, fully_qualified_modules=True)}"
        for sym, expr in assignments
    ]
    body.append(f"    return [{', '.join(y.name for y in outputs)}]")
    header = [
        "import math",
        "",
        "",
        f"def {function_name}(obs):",
        f'    """NEAT network: {_count(len(inputs), "input")} -> '
        f'{_count(len(outputs), "output")}."""',
    ]
    return "\n".join(header + body) + "\n"


__all__ = [
    "SYMPY_ACTIVATIONS",
    "SYMPY_AGGREGATIONS",
    "network_equations",
    "register_sympy_activation",
    "to_latex",
    "to_python",
    "to_sympy",
]
