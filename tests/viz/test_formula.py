"""Formula export: generated Python and SymPy expressions match the JAX forward pass."""

import math

import jax.numpy as jnp
import numpy as np
import pytest
import sympy as sp

from evotrain.neat import Genome, GenomeConfig
from evotrain.neat.aggregations import AGGREGATIONS
from evotrain.neat.export import genome_to_dict
from evotrain.networks.activations import ACTIVATIONS
from evotrain.networks.neat_forward import forward, make_plan
from evotrain.viz import network_equations, to_latex, to_python, to_sympy

ACTS = tuple(sorted(ACTIVATIONS))
AGGS = tuple(sorted(AGGREGATIONS))


def every_function_genome(seed: int = 0, output_activation: str | None = None):
    """3 inputs, 2 outputs and a hidden node per activation, chained so that hidden nodes
    also feed each other; aggregations cycle through every option."""
    rng = np.random.default_rng(seed)
    n_in, n_out = 3, 2
    nodes = [[k, 0.0, 1.0, 0, 0] for k in range(n_in)]
    nodes += [[n_in + o, rng.normal(), 1.0, ACTS.index("tanh"), 0] for o in range(n_out)]
    conns = []
    first_hidden = n_in + n_out
    for i, act in enumerate(ACTS):
        key = first_hidden + i
        nodes.append(
            [key, rng.normal(0, 0.5), rng.uniform(0.5, 1.5), ACTS.index(act), i % len(AGGS)]
        )
        sources = rng.choice(n_in, size=2, replace=False).tolist()
        if i > 0:
            sources.append(key - 1)
        conns += [[s, key, rng.normal(0, 0.8), 1.0] for s in sources]
        conns.append([key, n_in + i % n_out, rng.normal(0, 0.5), 1.0])
    conns.append([0, n_in, 5.0, 0.0])  # disabled: must not count
    config = GenomeConfig(
        n_in,
        n_out,
        max_nodes=len(nodes) + 2,
        max_conns=len(conns) + 4,
        activation_options=ACTS,
        activation_default="tanh",
        aggregation_options=AGGS,
        aggregation_default="sum",
        output_activation=output_activation,
    )
    pad_n = [[np.nan] * 5] * (config.max_nodes - len(nodes))
    pad_c = [[np.nan] * 4] * (config.max_conns - len(conns))
    genome = Genome(
        nodes=jnp.asarray(nodes + pad_n, jnp.float32), conns=jnp.asarray(conns + pad_c, jnp.float32)
    )
    return genome, config


@pytest.mark.parametrize("output_activation", [None, "sigmoid"])
def test_generated_python_matches_jax_forward_with_every_activation(output_activation):
    genome, config = every_function_genome(output_activation=output_activation)
    exported = genome_to_dict(np.asarray(genome.nodes), np.asarray(genome.conns), config)
    assert {n["activation"] for n in exported["nodes"] if n["type"] == "hidden"} == set(ACTS)
    assert {n["aggregation"] for n in exported["nodes"] if n["type"] == "hidden"} == set(AGGS)
    source = to_python(exported, function_name="policy")
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    plan = make_plan(genome, config)
    rng = np.random.default_rng(1)
    for x in rng.normal(0, 1.5, size=(25, 3)):
        expected = np.asarray(forward(plan, jnp.asarray(x, jnp.float32), config), np.float64)
        got = np.asarray(namespace["policy"](list(x)))
        np.testing.assert_allclose(got, expected, rtol=2e-4, atol=2e-5)


def test_generated_python_uses_only_math():
    genome, config = every_function_genome()
    source = to_python(genome_to_dict(np.asarray(genome.nodes), np.asarray(genome.conns), config))
    imports = [line for line in source.splitlines() if line.startswith(("import", "from"))]
    assert imports == ["import math"]
    assert "numpy" not in source and "jax" not in source


def test_sympy_expressions_match_the_equations():
    genome, config = every_function_genome(seed=3)
    exported = genome_to_dict(np.asarray(genome.nodes), np.asarray(genome.conns), config)
    inputs, assignments, outputs = network_equations(exported, ["a", "b", "c"])
    assert [s.name for s in inputs] == ["a", "b", "c"]
    assert [y.name for y in outputs] == ["y0", "y1"]
    exprs = to_sympy(exported, ["a", "b", "c"])
    assert all(e.free_symbols <= set(inputs) for e in exprs)
    ns: dict = {}
    exec(to_python(exported, input_names=["a", "b", "c"]), ns)
    x = [0.3, -1.1, 0.7]
    point = {s: sp.Float(v) for s, v in zip(inputs, x)}
    values = [float(e.xreplace(point)) for e in exprs]
    np.testing.assert_allclose(values, ns["forward"](x), rtol=1e-9)


def _hand_genome() -> dict:
    """y0 = tanh(0.5 + 2 * relu(-1 + 3*x0 - x1))."""
    return {
        "feedforward": True,
        "num_inputs": 2,
        "num_outputs": 1,
        "output_activation": None,
        "nodes": [
            {
                "key": 0,
                "type": "input",
                "bias": 0.0,
                "response": 1.0,
                "activation": "tanh",
                "aggregation": "sum",
            },
            {
                "key": 1,
                "type": "input",
                "bias": 0.0,
                "response": 1.0,
                "activation": "tanh",
                "aggregation": "sum",
            },
            {
                "key": 2,
                "type": "output",
                "bias": 0.5,
                "response": 1.0,
                "activation": "tanh",
                "aggregation": "sum",
            },
            {
                "key": 3,
                "type": "hidden",
                "bias": -1.0,
                "response": 1.0,
                "activation": "relu",
                "aggregation": "sum",
            },
        ],
        "connections": [
            {"in": 0, "out": 3, "weight": 3.0, "enabled": True},
            {"in": 1, "out": 3, "weight": -1.0, "enabled": True},
            {"in": 3, "out": 2, "weight": 2.0, "enabled": True},
        ],
    }


def test_hand_computed_formula():
    genome = _hand_genome()
    (expr,) = to_sympy(genome)
    x0, x1 = sp.symbols("x0 x1", real=True)
    expected = sp.tanh(0.5 + 2 * sp.Max(0, -1 + 3 * x0 - x1))
    for point in [(1.0, 0.5), (0.0, 0.0), (-2.0, 1.0)]:
        subs = {x0: point[0], x1: point[1]}
        assert float(expr.evalf(subs=subs)) == pytest.approx(float(expected.evalf(subs=subs)))
    ns: dict = {}
    exec(to_python(genome), ns)
    assert ns["forward"]([1.0, 0.5])[0] == pytest.approx(math.tanh(0.5 + 2 * 1.5))
    latex = to_latex(genome)
    assert latex.startswith("\\begin{aligned}") and "y_{0} &=" in latex and "\\tanh" in latex


def test_nodes_that_reach_no_output_are_left_out():
    genome = _hand_genome()
    dead = {**genome["nodes"][3], "key": 4, "activation": "sin"}
    genome["nodes"].append(dead)
    genome["connections"] += [
        {"in": 0, "out": 4, "weight": 1.5, "enabled": True},
        {"in": 3, "out": 4, "weight": -0.5, "enabled": True},
    ]
    _, assignments, _ = network_equations(genome)
    assert [sym.name for sym, _ in assignments] == ["h3", "y0"]
    source = to_python(genome)
    assert "h4" not in source and "sin" not in source
    assert '"""NEAT network: 2 inputs -> 1 output."""' in source
    ns: dict = {}
    exec(source, ns)
    assert ns["forward"]([1.0, 0.5])[0] == pytest.approx(math.tanh(0.5 + 2 * 1.5))
    genome["nodes"].append({**dead, "key": 5})
    genome["connections"] += [
        {"in": 4, "out": 5, "weight": 1.0, "enabled": True},
        {"in": 5, "out": 4, "weight": 1.0, "enabled": True},
    ]
    with pytest.raises(ValueError, match="cycle"):
        to_python(genome)


def test_recurrent_and_unknown_functions_are_refused():
    genome, config = every_function_genome()
    exported = genome_to_dict(np.asarray(genome.nodes), np.asarray(genome.conns), config)
    with pytest.raises(ValueError, match="feedforward"):
        to_python({**exported, "feedforward": False})
    odd = {**exported, "nodes": [dict(n) for n in exported["nodes"]]}
    odd["nodes"][-1]["activation"] = "my_act"
    with pytest.raises(ValueError, match="register_sympy_activation"):
        to_sympy(odd)
    with pytest.raises(ValueError, match="valid Python function name"):
        to_python(exported, function_name="not a name")
    with pytest.raises(ValueError, match="3 inputs"):
        to_sympy(exported, ["a"])
