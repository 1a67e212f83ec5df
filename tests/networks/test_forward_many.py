"""forward_many: one genome over a batch of inputs, each node once, equals vmap(forward)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.neat import NEATParams
from evotrain.neat.genome import Genome, GenomeConfig
from evotrain.networks.neat_forward import forward, forward_many, make_plan
from tests.neat.test_genome_properties import POP
from tests.neat.test_genome_properties import _evolved as evolved


def _evolved(config: GenomeConfig) -> Genome:
    """A population grown by 8 rounds of structural mutation and crossover (hidden nodes,
    depth)."""
    return evolved(0, NEATParams(node_add=0.5, conn_add=0.5), 8, config)


@pytest.mark.parametrize(
    "layout",
    [
        {"activation_options": ("sin", "gauss", "sigmoid", "tanh", "identity", "abs")},
        {"activation_options": ("tanh",), "output_activation": None},
        {
            "activation_options": ("relu", "sin"),
            "activation_default": "sin",
            "aggregation_options": ("sum", "max"),
        },
    ],
)
def test_forward_many_equals_vmapped_forward(layout):
    config = GenomeConfig(5, 2, max_nodes=16, max_conns=32, **layout)
    population = _evolved(config)
    inputs = jax.random.normal(jax.random.key(2), (40, 5))

    def both(genome):
        plan = make_plan(genome, config)
        return forward_many(plan, inputs, config), jax.vmap(lambda x: forward(plan, x, config))(
            inputs
        )

    many, single = jax.jit(jax.vmap(both))(population)
    assert many.shape == (POP, 40, 2)
    depth = jax.vmap(lambda g: make_plan(g, config).num_layers)(population)
    assert int(jnp.max(depth)) >= 3  # the check covers hidden layers, not just in -> out
    np.testing.assert_allclose(np.asarray(many), np.asarray(single), rtol=1e-5, atol=1e-5)
