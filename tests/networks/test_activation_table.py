"""Every activation of the table agrees with itself in JAX, NumPy, SymPy and generated Python.

Nothing here lists activations by hand: the tests walk the table.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp

from evotrain.networks import ACTIVATIONS, get_activation, register_activation
from evotrain.networks.activation_table import ACTIVATION_TABLE, BUILTIN_ACTIVATIONS, is_bounded
from evotrain.networks.array_namespaces import BACKENDS, VOCABULARY, namespace
from evotrain.networks.numpy_network import ACTIVATIONS as NUMPY_ACTIVATIONS
from evotrain.networks.numpy_network import NumpyNetwork
from evotrain.viz import register_sympy_activation, to_latex, to_python
from evotrain.viz.formula import SYMPY_ACTIVATIONS

_rng = np.random.default_rng(0)
_SPECIAL = np.array([0.0, 1e-8, 1e-6, 1e-4, 1e-2, 0.5, 10.0, 25.0, 50.0, 100.0, 1e3, 1e5])
INPUTS = np.concatenate(
    [_SPECIAL, -_SPECIAL[1:], _rng.normal(0.0, 3.0, 60), _rng.uniform(-20.0, 20.0, 30)]
).astype(np.float32)
"""``(n,)`` test points, float32 so that every backend sees the same values: zero, values
near it, large magnitudes and negative numbers."""

WIDE = np.concatenate([np.linspace(-1e4, 1e4, 20001), np.linspace(-10.0, 10.0, 2001)]).astype(
    np.float32
)
"""``(m,)`` a wide grid for the bounded property."""


def one_node_genome(activation: str) -> dict:
    """``y0 = activation(x0)``: one input, one output, weight 1, bias 0, response 1."""

    def node(key: int, kind: str) -> dict:
        return {
            "key": key,
            "type": kind,
            "bias": 0.0,
            "response": 1.0,
            "activation": activation,
            "aggregation": "sum",
        }

    return {
        "feedforward": True,
        "num_inputs": 1,
        "num_outputs": 1,
        "output_activation": None,
        "nodes": [node(0, "input"), node(1, "output")],
        "connections": [{"in": 0, "out": 1, "weight": 1.0, "enabled": True}],
    }


def jax_values(name: str, x: np.ndarray) -> np.ndarray:
    return np.asarray(get_activation(name)(jnp.asarray(x, jnp.float32)), np.float64)


def numpy_values(name: str, x: np.ndarray) -> np.ndarray:
    fn = NUMPY_ACTIVATIONS[name]
    with np.errstate(all="ignore"):
        return np.array([float(fn(np.float64(v))) for v in x])  # as NumpyNetwork calls it


def sympy_values(name: str, x: np.ndarray) -> np.ndarray:
    z = sp.Symbol("z", real=True)
    expr = SYMPY_ACTIVATIONS[name](z)
    return np.array([float(expr.evalf(30, subs={z: sp.Float(float(v), 30)})) for v in x])


def python_values(name: str, x: np.ndarray) -> np.ndarray:
    namespace_: dict = {}
    exec(compile(to_python(one_node_genome(name)), "<generated>", "exec"), namespace_)
    return np.array([namespace_["forward"]([float(v)])[0] for v in x])


@pytest.fixture
def scratch_names():
    """Names the test registers, removed from the table afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        ACTIVATION_TABLE.pop(name, None)


def test_every_namespace_has_the_vocabulary():
    for backend in BACKENDS:
        xp = namespace(backend)
        missing = [name for name in VOCABULARY if not callable(getattr(xp, name, None))]
        assert not missing, f"{backend} lacks {missing}"
    with pytest.raises(AttributeError, match="may use only"):
        namespace("numpy").no_such_function  # noqa: B018


def test_views_show_the_table():
    for view in (ACTIVATIONS, NUMPY_ACTIVATIONS, SYMPY_ACTIVATIONS):
        assert set(BUILTIN_ACTIVATIONS) <= set(view)
    assert all(ACTIVATION_TABLE[name].fn is not None for name in BUILTIN_ACTIVATIONS)


@pytest.mark.parametrize("name", BUILTIN_ACTIVATIONS)
def test_four_forms_agree(name):
    jax_ = jax_values(name, INPUTS)
    numpy_ = numpy_values(name, INPUTS)
    sympy_ = sympy_values(name, INPUTS)
    python_ = python_values(name, INPUTS)
    np.testing.assert_allclose(python_, numpy_, rtol=1e-12, atol=1e-15, err_msg="Python/NumPy")
    np.testing.assert_allclose(sympy_, python_, rtol=1e-12, atol=1e-15, err_msg="SymPy/Python")
    np.testing.assert_allclose(jax_, numpy_, rtol=2e-6, atol=1e-6, err_msg="JAX f32/NumPy f64")


@pytest.mark.parametrize("name", BUILTIN_ACTIVATIONS)
def test_bounded_property_holds_numerically(name):
    for values in (jax_values(name, WIDE), numpy_values(name, WIDE)):
        inside = np.all((values >= -1.0) & (values <= 1.0))
        assert inside == is_bounded(name), f"{name}: bounded={is_bounded(name)}"


def _check_every_form(name: str, x: np.ndarray) -> None:
    numpy_ = numpy_values(name, x)
    np.testing.assert_allclose(jax_values(name, x), numpy_, rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(sympy_values(name, x), numpy_, rtol=1e-12)
    np.testing.assert_allclose(python_values(name, x), numpy_, rtol=1e-12)
    net = NumpyNetwork(one_node_genome(name))
    np.testing.assert_allclose([net.activate([v])[0] for v in x], numpy_, rtol=1e-12)


def test_register_generic_activation_works_everywhere(scratch_names):
    scratch_names += ["softsign_for_test", "leaky_for_test"]
    register_activation(
        "softsign_for_test", lambda xp, x: x / (1 + xp.abs(x)), generic=True, bounded=True
    )
    register_activation("leaky_for_test", lambda xp, x: xp.where(x > 0, x, 0.1 * x), generic=True)
    assert is_bounded("softsign_for_test") and not is_bounded("leaky_for_test")
    x = INPUTS[np.abs(INPUTS) < 1e4]
    _check_every_form("softsign_for_test", x)
    _check_every_form("leaky_for_test", x)
    assert "\\begin{cases}" in to_latex(one_node_genome("leaky_for_test"))
    with pytest.raises(ValueError, match="already exists"):
        register_activation("leaky_for_test", lambda xp, x: x, generic=True)
    with pytest.raises(ValueError, match=r"generic=True needs fn\(xp, x\)"):
        register_activation("one_arg_for_test", lambda x: 2 * x, generic=True)
    assert "one_arg_for_test" not in ACTIVATION_TABLE


def test_register_jax_only_activation(scratch_names):
    name = "twice_jax_for_test"
    scratch_names.append(name)
    register_activation(name, lambda x: 2 * x)
    assert float(get_activation(name)(jnp.float32(1.5))) == 3.0
    assert name in ACTIVATIONS and name not in NUMPY_ACTIVATIONS and name not in SYMPY_ACTIVATIONS
    assert not is_bounded(name)
    genome = one_node_genome(name)
    with pytest.raises(ValueError, match=f"'{name}' has no NumPy form.*generic=True"):
        NumpyNetwork(genome)
    with pytest.raises(ValueError, match="has no SymPy form.*register_sympy_activation"):
        to_python(genome)
    register_sympy_activation(name, lambda z: 2 * z)
    ns: dict = {}
    exec(to_python(genome), ns)
    assert ns["forward"]([1.5]) == [3.0]
    NUMPY_ACTIVATIONS[name] = lambda x: 2.0 * x
    assert NumpyNetwork(genome).activate([1.5])[0] == 3.0
