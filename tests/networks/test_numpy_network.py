"""The NumPy-only forward pass matches the JAX one and needs no JAX."""

import json
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from evotrain import NEAT
from evotrain.neat.export import genome_to_dict
from evotrain.networks.numpy_network import NumpyNetwork
from tests.helpers import DelayedRecallEnv

ALL_ACTS = (
    "tanh",
    "sigmoid",
    "relu",
    "identity",
    "sin",
    "gauss",
    "abs",
    "clamped",
    "square",
    "scaled_sigmoid",
)
ALL_AGGS = ("sum", "product", "max", "min", "mean", "maxabs")


@pytest.fixture(scope="module")
def evolved():
    model = NEAT(
        "FeedForward",
        "gymnax:CartPole-v1",
        pop_size=16,
        seed=1,
        max_nodes=12,
        max_conns=24,
        max_episode_steps=20,
        node_add=0.6,
        conn_add=0.6,
        activation_options=ALL_ACTS,
        activation_replace_rate=0.5,
        aggregation_options=ALL_AGGS,
        aggregation_replace_rate=0.5,
    )
    model.learn(6)
    return model


def _largest(model):
    """The population member with the most nodes, as (genome pytree, exported dict)."""
    pop = model.train_state.strategy_state.population
    i = int(np.argmax((~np.isnan(np.asarray(pop.nodes[..., 0]))).sum(-1)))
    genome = jax.tree_util.tree_map(lambda x: x[i], pop)
    exported = genome_to_dict(
        np.asarray(genome.nodes),
        np.asarray(genome.conns),
        model.policy.config,
        None,
        model.activate_time,
    )
    return genome, exported


def test_numpy_forward_matches_jax(evolved):
    genome, exported = _largest(evolved)
    assert sum(n["type"] == "hidden" for n in exported["nodes"]) >= 2
    net = NumpyNetwork(exported)
    rng = np.random.default_rng(0)
    for x in rng.normal(size=(20, 4)):
        expected = evolved.policy.apply(genome, jnp.asarray(x, jnp.float32))
        np.testing.assert_allclose(net.activate(x), np.asarray(expected), rtol=2e-4, atol=2e-5)


def test_export_genome_writes_json_and_never_overwrites(evolved, tmp_path):
    path = tmp_path / "genome.json"
    evolved.export_genome(path)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        evolved.export_genome(path)
    data = json.loads(path.read_text())
    assert data["format"] == "evotrain.neat.genome/1"
    assert data["fitness"] == pytest.approx(evolved.acting_fitness)
    params = evolved.policy_params  # the genome predict acts with
    x = np.array([0.1, -0.2, 0.3, 0.05])
    expected = evolved.policy.apply(params, jnp.asarray(x, jnp.float32))
    np.testing.assert_allclose(
        NumpyNetwork.from_json(path).activate(x), np.asarray(expected), rtol=2e-4, atol=2e-5
    )
    assert "feedforward NEAT network" in evolved.network_summary()


def test_numpy_recurrent_matches_jax_over_steps():
    model = NEAT(
        "Recurrent",
        DelayedRecallEnv(3),
        pop_size=16,
        seed=0,
        max_nodes=8,
        max_conns=16,
        node_add=0.5,
        conn_add=0.8,
        activate_time=2,
    )
    model.learn(4)
    params, exported = _largest(model)
    assert not exported["feedforward"] and exported["activate_time"] == 2
    net = NumpyNetwork(exported)
    plan = model.policy.prepare(params)
    carry = model.policy.initial_carry(plan)
    for x in np.random.default_rng(1).normal(size=(6, 2)):
        out, carry = model.policy.step(plan, carry, jnp.asarray(x, jnp.float32))
        np.testing.assert_allclose(net.activate(x), np.asarray(out), rtol=2e-4, atol=2e-5)


def test_numpy_network_imports_without_jax():
    code = "import sys; import evotrain.networks.numpy_network; print('jax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
