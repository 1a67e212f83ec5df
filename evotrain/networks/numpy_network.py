"""Run an exported NEAT genome with NumPy alone (no JAX needed).

``model.best_genome`` (a dict, also written by ``model.export_genome(path)`` as JSON)
holds everything needed::

    from evotrain.networks.numpy_network import NumpyNetwork
    net = NumpyNetwork.from_json("genome.json")
    outputs = net.activate([0.0, 1.0])       # feedforward; recurrent nets keep state
    net.reset()                              # recurrent: start a new episode

This module imports only NumPy, so it runs where JAX is not installed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from evotrain.networks.activation_table import ActivationForms

ACTIVATIONS = ActivationForms(
    "numpy",
    hint="NumpyNetwork needs its NumPy form; a NumPy-only one can also be assigned to "
    "evotrain.networks.numpy_network.ACTIVATIONS[name].",
)
"""``name -> fn(x)`` over NumPy float64 values: a live view of the activation table
(:mod:`evotrain.networks.activation_table`), which writes each activation once for every backend."""


def _maxabs(values: np.ndarray) -> float:
    return float(values[np.argmax(np.abs(values))])


AGGREGATIONS: dict[str, Callable[[np.ndarray], float]] = {
    "sum": lambda v: float(np.sum(v)),
    "product": lambda v: float(np.prod(v)),
    "max": lambda v: float(np.max(v)),
    "min": lambda v: float(np.min(v)),
    "mean": lambda v: float(np.mean(v)),
    "maxabs": _maxabs,
}


class NumpyNetwork:
    """A NEAT network from an exported genome dict.

    Args:
        genome: the dict of ``model.best_genome``.

    Raises:
        ValueError: for an activation without a NumPy form (one registered for JAX alone:
            register it with ``generic=True``) or an aggregation this module does not know
            (custom ones registered in JAX must be added to ``AGGREGATIONS``).
    """

    def __init__(self, genome: dict[str, Any]) -> None:
        self.feedforward = bool(genome["feedforward"])
        self.num_inputs = int(genome["num_inputs"])
        self.num_outputs = int(genome["num_outputs"])
        self.output_activation = genome.get("output_activation")
        self.activate_time = int(genome.get("activate_time", 1))
        self.nodes = {int(n["key"]): n for n in genome["nodes"]}
        names = {n["activation"] for n in self.nodes.values()} | {self.output_activation}
        self._activations = {name: ACTIVATIONS.lookup(name) for name in names - {None}}
        for node in self.nodes.values():
            if node["aggregation"] not in AGGREGATIONS:
                raise ValueError(
                    f"NumpyNetwork does not know the aggregation {node['aggregation']!r}."
                )
        self.incoming: dict[int, list[tuple[int, float]]] = {k: [] for k in self.nodes}
        for conn in genome["connections"]:
            if conn["enabled"] and conn["in"] in self.nodes and conn["out"] in self.nodes:
                self.incoming[int(conn["out"])].append((int(conn["in"]), float(conn["weight"])))
        self.input_keys = list(range(self.num_inputs))
        self.output_keys = list(range(self.num_inputs, self.num_inputs + self.num_outputs))
        self.order = self._topological_order() if self.feedforward else sorted(self.nodes)
        self.values = {k: 0.0 for k in self.nodes}

    @classmethod
    def from_json(cls, path: str | os.PathLike[str]) -> NumpyNetwork:
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    def _topological_order(self) -> list[int]:
        depth: dict[int, int] = {k: 0 for k in self.input_keys}

        def visit(key: int, stack: tuple[int, ...] = ()) -> int:
            if key in depth:
                return depth[key]
            if key in stack:
                raise ValueError("A feedforward genome has a cycle.")
            preds = [visit(src, stack + (key,)) for src, _ in self.incoming[key]]
            depth[key] = 1 + max(preds, default=0)
            return depth[key]

        for key in self.nodes:
            visit(key)
        hidden = [k for k in self.nodes if k >= self.num_inputs]
        return sorted(hidden, key=lambda k: (depth[k], k))

    def _node_value(self, key: int, source: dict[int, float]) -> float:
        node = self.nodes[key]
        inputs = self.incoming[key]
        if inputs:
            agg = AGGREGATIONS[node["aggregation"]](np.array([source[s] * w for s, w in inputs]))
        else:
            agg = 0.0
        z = node["bias"] + node["response"] * agg
        name = node["activation"]
        if self.output_activation is not None and key in self.output_keys:
            name = self.output_activation
        return float(self._activations[name](np.float64(z)))

    def reset(self) -> None:
        """Clears a recurrent network's node values (start of an episode)."""
        self.values = {k: 0.0 for k in self.nodes}

    def activate(self, inputs: Any) -> np.ndarray:
        """Outputs ``(num_outputs,)`` for inputs ``(num_inputs,)``."""
        x = np.asarray(inputs, dtype=np.float64).reshape(-1)
        if x.shape[0] != self.num_inputs:
            raise ValueError(f"Expected {self.num_inputs} inputs, got {x.shape[0]}.")
        if self.feedforward:
            values = {k: 0.0 for k in self.nodes}
            values.update({k: float(x[k]) for k in self.input_keys})
            for key in self.order:
                values[key] = self._node_value(key, values)
        else:
            values = dict(self.values)
            for _ in range(self.activate_time):
                prev = dict(values)
                prev.update({k: float(x[k]) for k in self.input_keys})
                values = dict(prev)
                for key in self.order:
                    if key >= self.num_inputs:
                        values[key] = self._node_value(key, prev)
            values.update({k: float(x[k]) for k in self.input_keys})
            self.values = values
        return np.array([values[k] for k in self.output_keys])
