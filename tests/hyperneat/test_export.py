"""The substrate network as an exported genome dict: NumpyNetwork runs it like JAX does."""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.hyperneat import CPPNConfig, MLPSubstrate, SubstrateNetwork
from evotrain.hyperneat.export import KIND, _prepare, substrate_to_dict
from evotrain.neat.export import summary
from evotrain.neat.genome import CONN_ATTRS, NODE_ATTRS, Genome, GenomeConfig
from evotrain.networks.numpy_network import NumpyNetwork
from tests.hyperneat.test_cppn import blog_cppn


def hand_cppn(
    num_inputs: int, num_outputs: int, conns: list[tuple[int, int, float]]
) -> tuple[GenomeConfig, Genome]:
    """A CPPN of identity hidden-free nodes and tanh outputs wired by ``conns``
    (``(in, out, weight)``; inputs are keys ``0 .. num_inputs - 1``, outputs follow)."""
    config = GenomeConfig(
        num_inputs,
        num_outputs,
        max_nodes=12,  # the blog CPPN's capacity: JAX reuses what it compiled for it
        max_conns=16,
        activation_options=("tanh",),
        output_activation="tanh",
    )
    nodes = np.full((config.max_nodes, NODE_ATTRS), np.nan, np.float32)
    nodes[: config.num_io] = [[k, 0.0, 1.0, 0.0, 0.0] for k in range(config.num_io)]
    rows = np.full((config.max_conns, CONN_ATTRS), np.nan, np.float32)
    rows[: len(conns)] = [[i, o, w, 1] for i, o, w in conns]
    return config, Genome(nodes=jnp.asarray(nodes), conns=jnp.asarray(rows))


def _blog(**kwargs) -> tuple[SubstrateNetwork, Genome]:
    cppn, genome = blog_cppn()
    return SubstrateNetwork(cppn=cppn.config, **kwargs), genome


INPUTS = [np.array([0.5, -1.0, 2.0, 0.25]), np.array([-0.3, 0.8, 0.1, -1.2])]


@pytest.fixture(scope="module")
def feedforward():
    """The blog's CPPN on a 4-5-3 layered substrate: network, genome, plan, export."""
    network, genome = _blog(substrate=MLPSubstrate(4, 3, hidden_layers=(5,)))
    return (
        network,
        genome,
        _prepare(network, genome),
        substrate_to_dict(network, genome, jnp.float32(12.5)),
    )


def test_feedforward_with_a_hidden_row_runs_the_same_in_numpy(feedforward):
    network, genome, plan, exported = feedforward
    assert exported["kind"] == KIND and exported["feedforward"] is True
    assert (exported["num_inputs"], exported["num_outputs"]) == (4, 3)
    assert exported["activate_time"] == 1
    assert exported["fitness"] == 12.5 and type(exported["fitness"]) is float
    nodes = {n["key"]: n for n in exported["nodes"]}
    assert sorted(nodes) == list(range(12))
    kinds = ["input"] * 4 + ["output"] * 3 + ["hidden"] * 5
    assert [nodes[k]["type"] for k in range(12)] == kinds
    assert {nodes[k]["activation"] for k in range(4)} == {"identity"}
    assert {nodes[k]["activation"] for k in range(4, 7)} == {"identity"}
    assert {nodes[k]["activation"] for k in range(7, 12)} == {"tanh"}
    assert all(n["response"] == 1.0 and n["aggregation"] == "sum" for n in nodes.values())
    assert all(n["bias"] == 0.0 for n in nodes.values())  # no CPPN bias output
    assert exported["rows"] == [[0, 1, 2, 3], [7, 8, 9, 10, 11], [4, 5, 6]]
    assert exported["positions"]["0"] == [-1.0, -1.0]
    assert exported["positions"]["7"] == [-1.0, 0.0]  # the hidden row, first neuron
    assert exported["positions"]["6"] == [1.0, 1.0]  # the last output
    # Connections only between consecutive rows.
    layer = {k: i for i, keys in enumerate(exported["rows"]) for k in keys}
    assert all(layer[c["out"]] == layer[c["in"]] + 1 for c in exported["connections"])
    net = NumpyNetwork(exported)
    for x in INPUTS:
        expected, _ = network.step(plan, (), jnp.asarray(x, jnp.float32))
        np.testing.assert_allclose(net.activate(x), expected, rtol=1e-5, atol=1e-5)
    applied = jax.jit(network.apply)(genome, jnp.asarray(INPUTS[1], jnp.float32))
    np.testing.assert_allclose(net.activate(INPUTS[1]), applied, rtol=1e-5, atol=1e-5)
    assert "feedforward NEAT network" in summary(exported)  # the NEAT summary reads it too


def test_zero_weights_are_omitted(feedforward):
    network, genome, plan, exported = feedforward
    first, second = (np.asarray(w) for w in plan.weights)
    assert (first == 0.0).sum() + (second == 0.0).sum() >= 2  # the threshold cut some
    conns = exported["connections"]
    assert len(conns) == np.count_nonzero(first) + np.count_nonzero(second)
    assert all(c["weight"] != 0.0 and c["enabled"] is True for c in conns)
    hidden, outputs = exported["rows"][1], exported["rows"][2]
    expected = {(int(i), hidden[j]) for j, i in zip(*np.nonzero(first))}
    expected |= {(hidden[i], outputs[j]) for j, i in zip(*np.nonzero(second))}
    assert {(c["in"], c["out"]) for c in conns} == expected
    for c in conns:
        if c["out"] in hidden:
            assert c["weight"] == pytest.approx(float(first[hidden.index(c["out"]), c["in"]]))
        else:
            j, i = outputs.index(c["out"]), hidden.index(c["in"])
            assert c["weight"] == pytest.approx(float(second[j, i]))
    assert substrate_to_dict(network, genome, fitness=float("nan"))["fitness"] is None


def test_recurrent_matches_successive_steps():
    network, genome = _blog(
        substrate=MLPSubstrate(2, 2, hidden_layers=(2, 1)), recurrent=True, activate_time=2
    )
    exported = substrate_to_dict(network, genome)
    assert exported["feedforward"] is False and exported["activate_time"] == 2
    assert exported["rows"] == [[0, 1], [4, 5], [6], [2, 3]]
    plan = _prepare(network, genome)
    (weights,) = plan.weights
    assert len(exported["connections"]) == np.count_nonzero(np.asarray(weights))
    assert all(c["out"] >= 2 for c in exported["connections"])  # nothing into an input
    assert any(c["in"] == c["out"] for c in exported["connections"])  # self-connections
    net = NumpyNetwork(exported)
    carry = network.initial_carry(plan)
    outputs = []
    for x in [(0.5, -1.0), (0.5, -1.0), (-0.2, 0.9), (1.0, 0.0)]:
        out, carry = network.step(plan, carry, jnp.asarray(x, jnp.float32))
        outputs.append(np.asarray(out))
        np.testing.assert_allclose(net.activate(x), outputs[-1], rtol=1e-5, atol=1e-5)
    assert not np.allclose(outputs[0], outputs[1])  # the memory matters
    net.reset()
    np.testing.assert_allclose(net.activate((0.5, -1.0)), outputs[0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("substrate", "recurrent"),
    [(MLPSubstrate(4, 3, hidden_layers=(5,)), False), (MLPSubstrate(2, 2, (2, 1)), True)],
    ids=["feedforward", "recurrent"],
)
def test_bias_output_sets_every_non_input_bias(substrate, recurrent):
    # Inputs x1, y1, x2, y2, d (keys 0-4); weight output 5 = tanh(x1 - x2 + y1),
    # bias output 6 = tanh(x2 + 0.5 y2).
    config, genome = hand_cppn(
        5, 2, [(0, 5, 1.0), (2, 5, -1.0), (1, 5, 1.0), (2, 6, 1.0), (3, 6, 0.5)]
    )
    cppn = CPPNConfig(bias_output=True, max_weight=2.0)
    network = SubstrateNetwork(
        substrate, config, cppn, output_activation="tanh", recurrent=recurrent
    )
    exported = substrate_to_dict(network, genome)
    n_in = substrate.num_inputs
    for node in exported["nodes"]:
        x, y = exported["positions"][str(node["key"])]
        expected = 0.0 if node["key"] < n_in else float(np.tanh(x + 0.5 * y) * 2.0)
        assert node["bias"] == pytest.approx(expected, abs=1e-5)
    assert any(abs(node["bias"]) > 0.1 for node in exported["nodes"])
    assert exported["nodes"][n_in]["activation"] == "tanh"
    assert exported["output_activation"] == "tanh"
    net = NumpyNetwork(exported)
    plan = _prepare(network, genome)
    carry = network.initial_carry(plan)
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.uniform(-1.0, 1.0, n_in)
        out, carry = network.step(plan, carry, jnp.asarray(x, jnp.float32))
        np.testing.assert_allclose(net.activate(x), out, rtol=1e-5, atol=1e-5)


def test_json_round_trip(tmp_path, feedforward):
    _, _, _, exported = feedforward
    text = json.dumps(exported)
    loaded = json.loads(text)
    assert loaded == exported and type(loaded["fitness"]) is float
    path = tmp_path / "substrate.json"
    path.write_text(text)
    x = INPUTS[0]
    np.testing.assert_allclose(
        NumpyNetwork.from_json(path).activate(x), NumpyNetwork(exported).activate(x)
    )
