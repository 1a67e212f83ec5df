"""The substrate network a HyperNEAT individual generates, as a plain NEAT genome dict.

:func:`substrate_to_dict` queries an individual's CPPN once
(:meth:`SubstrateNetwork.prepare`, compiled once per network) and writes the resulting
substrate network in exactly the exported-genome format of
:func:`evotrain.neat.export.genome_to_dict`, so that
:class:`evotrain.networks.numpy_network.NumpyNetwork` runs it with NumPy alone and gives the
outputs of :meth:`SubstrateNetwork.apply` (feedforward) or of successive
:meth:`SubstrateNetwork.step` calls (recurrent: values kept between ``activate`` calls).

Node keys follow NEAT's convention: inputs ``0 .. I-1``, outputs ``I .. I+O-1``, then the
hidden neurons ``I+O ..`` row after row (each row in the substrate's order). Every node
has ``response`` 1.0 and aggregation ``"sum"``; its bias is the plan's (0 for inputs, and 0
everywhere without a CPPN bias output); hidden nodes use ``network.hidden_activation``,
outputs ``network.output_activation`` and inputs ``"identity"``.

The zero-weight rule: the CPPN's weight mapping (threshold or LEO) says "no connection"
with a weight of exactly 0, so only the non-zero weights of the plan become connections
(all enabled). A feedforward substrate has connections between consecutive rows only; a
recurrent one from every neuron to every non-input neuron, self-connections included.

Extra keys, ignored by ``NumpyNetwork``: ``"kind": "hyperneat-substrate"``,
``"positions"`` (``{str(key): [coordinate, ...]}``, for drawing with
:func:`evotrain.viz.plot_substrate`), ``"rows"`` (the node keys of every substrate row in
order: inputs, hidden rows, outputs), ``"hidden_activation"`` and ``"fitness"``. The dict
is JSON-serializable (plain Python ints, floats, strings and lists).
"""

from __future__ import annotations

import math
from typing import Any

import jax
import numpy as np

from evotrain.hyperneat.network import SubstrateNetwork
from evotrain.neat.genome import Genome

KIND = "hyperneat-substrate"
"""The ``"kind"`` of a dict :func:`substrate_to_dict` writes."""

_prepare = jax.jit(SubstrateNetwork.prepare, static_argnums=0)
"""``network.prepare(params)`` compiled once per network (run eagerly, the CPPN query
dispatches hundreds of small ops, each compiled anew for every substrate shape)."""


def _row_keys(network: SubstrateNetwork) -> list[list[int]]:
    """Node keys of every row: inputs, hidden rows, outputs (NEAT's key convention)."""
    s = network.substrate
    n_in, n_out = s.num_inputs, s.num_outputs
    rows = [list(range(n_in))]
    next_key = n_in + n_out
    for hidden in s.hidden:
        rows.append(list(range(next_key, next_key + hidden.shape[0])))
        next_key += hidden.shape[0]
    rows.append(list(range(n_in, n_in + n_out)))
    return rows


def substrate_to_dict(
    network: SubstrateNetwork, params: Genome, fitness: float | None = None
) -> dict[str, Any]:
    """The substrate network one CPPN genome generates, as an exported NEAT genome dict.

    Args:
        network: the substrate network (substrate, CPPN layout and options, activations).
        params: one CPPN genome (``nodes`` ``(max_nodes, 5)``, ``conns`` ``(max_conns, 4)``;
            not batched).
        fitness: the individual's fitness, if known (non-finite values are written as None).

    Returns:
        A JSON-ready dict in the format ``NumpyNetwork`` runs (see the module docs):
        ``feedforward``, ``num_inputs``, ``num_outputs``, ``output_activation``,
        ``activate_time``, ``nodes`` (``num_inputs + num_hidden + num_outputs`` entries
        with ``key``, ``type``, ``bias``, ``response``, ``activation``, ``aggregation``) and
        ``connections`` (one per non-zero weight: ``in``, ``out``, ``weight``,
        ``enabled``), plus ``kind``, ``positions``, ``rows``, ``hidden_activation`` and
        ``fitness``.
    """
    substrate = network.substrate
    plan = _prepare(network, params)
    weights = [np.asarray(w, np.float64) for w in plan.weights]
    biases = [np.asarray(b, np.float64) for b in plan.biases]
    rows = _row_keys(network)
    layers = substrate.layers
    n_in, n_out = substrate.num_inputs, substrate.num_outputs

    positions: dict[str, list[float]] = {}
    for keys, coords in zip(rows, layers):
        for key, point in zip(keys, np.asarray(coords, np.float64)):
            positions[str(key)] = [float(c) for c in point]

    bias_of: dict[int, float] = {key: 0.0 for key in rows[0]}
    connections: list[dict[str, Any]] = []

    def add_block(matrix: np.ndarray, sources: list[int], targets: list[int]) -> None:
        # matrix[j, i]: from sources[i] to targets[j] (a weight matrix applied as W @ x).
        for j, i in zip(*np.nonzero(matrix)):
            connections.append(
                {
                    "in": sources[int(i)],
                    "out": targets[int(j)],
                    "weight": float(matrix[j, i]),
                    "enabled": True,
                }
            )

    if not network.recurrent:
        for k, (matrix, bias) in enumerate(zip(weights, biases)):
            add_block(matrix, rows[k], rows[k + 1])
            bias_of.update({key: float(b) for key, b in zip(rows[k + 1], bias)})
    else:
        (matrix,), (bias,) = weights, biases
        targets = [key for keys in rows[1:] for key in keys]  # hidden rows, then outputs
        add_block(matrix, rows[0] + targets, targets)
        bias_of.update({key: float(b) for key, b in zip(targets, bias)})

    def node(key: int) -> dict[str, Any]:
        kind = "input" if key < n_in else "output" if key < n_in + n_out else "hidden"
        activation = {
            "input": "identity",
            "output": network.output_activation,
            "hidden": network.hidden_activation,
        }[kind]
        return {
            "key": key,
            "type": kind,
            "bias": bias_of[key],
            "response": 1.0,
            "activation": activation,
            "aggregation": "sum",
        }

    return {
        "kind": KIND,
        "feedforward": not network.recurrent,
        "num_inputs": n_in,
        "num_outputs": n_out,
        "output_activation": network.output_activation,
        "hidden_activation": network.hidden_activation,
        "activate_time": int(network.activate_time),
        "fitness": None if fitness is None or not math.isfinite(float(fitness)) else float(fitness),
        "nodes": [node(key) for key in sorted(bias_of)],
        "connections": connections,
        "positions": positions,
        "rows": rows,
    }


__all__ = ["KIND", "substrate_to_dict"]
