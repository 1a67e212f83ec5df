"""Hand-computed forward passes of tiny genomes."""

import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.neat import Genome, GenomeConfig
from evotrain.networks.neat_forward import forward, make_plan, recurrent_step

NAN_NODE = [np.nan] * 5
NAN_CONN = [np.nan] * 4


def _genome(nodes, conns, n=6, c=8):
    nodes = nodes + [NAN_NODE] * (n - len(nodes))
    conns = conns + [NAN_CONN] * (c - len(conns))
    return Genome(nodes=jnp.asarray(nodes, jnp.float32), conns=jnp.asarray(conns, jnp.float32))


def test_two_layer_feedforward():
    # inputs 0, 1; output 2; hidden 3 (relu).  3 = relu(0.5 + 2*x0 - x1); 2 = tanh(-1 + 1.5*h + 0.25*x1)
    cfg = GenomeConfig(2, 1, max_nodes=6, max_conns=8, activation_options=("tanh", "relu"))
    g = _genome(
        [[0, 0, 1, 0, 0], [1, 0, 1, 0, 0], [2, -1.0, 1, 0, 0], [3, 0.5, 1, 1, 0]],
        [[0, 3, 2.0, 1], [1, 3, -1.0, 1], [3, 2, 1.5, 1], [1, 2, 0.25, 1], [0, 2, 9.0, 0]],
    )
    plan = make_plan(g, cfg)
    np.testing.assert_array_equal(plan.depth, [0, 0, 2, 1, -1, -1])
    for x0, x1 in [(0.3, -0.7), (2.0, 1.0), (-1.0, 4.0)]:
        h = max(0.0, 0.5 + 2 * x0 - x1)
        expected = np.tanh(-1.0 + 1.5 * h + 0.25 * x1)
        out = forward(plan, jnp.array([x0, x1]), cfg)
        assert float(out[0]) == pytest.approx(expected, abs=1e-6)


def test_response_and_aggregations():
    cfg = GenomeConfig(
        2,
        1,
        max_nodes=4,
        max_conns=4,
        activation_options=("identity",),
        activation_default="identity",
        aggregation_options=("sum", "product", "max"),
        aggregation_default="sum",
    )
    for agg, fn in [(0, lambda a, b: a + b), (1, lambda a, b: a * b), (2, max)]:
        g = _genome(
            [[0, 0, 1, 0, 0], [1, 0, 1, 0, 0], [2, 0.25, 3.0, 0, agg]],
            [[0, 2, 2.0, 1], [1, 2, -1.0, 1]],
            n=4,
            c=4,
        )
        x0, x1 = 1.5, 0.5
        expected = 0.25 + 3.0 * fn(2.0 * x0, -1.0 * x1)
        out = forward(make_plan(g, cfg), jnp.array([x0, x1]), cfg)
        assert float(out[0]) == pytest.approx(expected, abs=1e-6)


def test_recurrent_state_carries_across_steps():
    # output 1 = identity(0 + 1*x + 0.5*prev_output) : a leaky accumulator
    cfg = GenomeConfig(
        1,
        1,
        max_nodes=3,
        max_conns=3,
        feedforward=False,
        activation_options=("identity",),
        activation_default="identity",
    )
    g = _genome([[0, 0, 1, 0, 0], [1, 0, 1, 0, 0]], [[0, 1, 1.0, 1], [1, 1, 0.5, 1]], n=3, c=3)
    plan = make_plan(g, cfg)
    values = jnp.zeros(3)
    expected, prev = [], 0.0
    outs = []
    for x in [1.0, 0.0, 2.0, -1.0]:
        out, values = recurrent_step(plan, values, jnp.array([x]), cfg)
        prev = x + 0.5 * prev
        expected.append(prev)
        outs.append(float(out[0]))
    np.testing.assert_allclose(outs, expected, atol=1e-6)
