"""Readable, JSON-ready views of NEAT genomes."""

from __future__ import annotations

from typing import Any

import numpy as np

from evotrain.neat.genome import (
    C_ENABLED,
    C_IN,
    C_OUT,
    C_WEIGHT,
    N_ACT,
    N_AGG,
    N_BIAS,
    N_KEY,
    N_RESPONSE,
    GenomeConfig,
)

FORMAT = "evotrain.neat.genome/1"


def genome_to_dict(
    nodes: np.ndarray,
    conns: np.ndarray,
    config: GenomeConfig,
    fitness: float | None = None,
    activate_time: int = 1,
) -> dict[str, Any]:
    """One genome as plain Python values.

    Args:
        nodes: ``(max_nodes, 5)`` node rows (NaN rows are skipped).
        conns: ``(max_conns, 4)`` connection rows.
        config: the genome layout (option names, inputs, outputs).
        fitness: the genome's fitness, if known.
        activate_time: node updates per step (recurrent genomes).

    Returns:
        A dict with ``nodes`` (key, type, bias, response, activation, aggregation),
        ``connections`` (in, out, weight, enabled; ``in``/``out`` are node keys, the
        connection's historical marker is the pair) and the layout; JSON-serializable.
    """
    nodes, conns = np.asarray(nodes, np.float64), np.asarray(conns, np.float64)
    node_list = []
    for row in nodes[~np.isnan(nodes[:, N_KEY])]:
        key = int(row[N_KEY])
        kind = "input" if key < config.num_inputs else "output" if key < config.num_io else "hidden"
        node_list.append(
            {
                "key": key,
                "type": kind,
                "bias": float(row[N_BIAS]) if kind != "input" else 0.0,
                "response": float(row[N_RESPONSE]) if kind != "input" else 1.0,
                "activation": config.activation_options[int(row[N_ACT])],
                "aggregation": config.aggregation_options[int(row[N_AGG])],
            }
        )
    conn_list = [
        {
            "in": int(row[C_IN]),
            "out": int(row[C_OUT]),
            "weight": float(row[C_WEIGHT]),
            "enabled": bool(row[C_ENABLED] > 0.5),
        }
        for row in conns[~np.isnan(conns[:, C_IN])]
    ]
    return {
        "format": FORMAT,
        "feedforward": config.feedforward,
        "num_inputs": config.num_inputs,
        "num_outputs": config.num_outputs,
        "output_activation": config.output_activation,
        "activate_time": int(activate_time),
        "fitness": None if fitness is None or not np.isfinite(fitness) else float(fitness),
        "nodes": node_list,
        "connections": conn_list,
    }


def summary(genome: dict[str, Any]) -> str:
    """A few lines describing an exported genome."""
    nodes, conns = genome["nodes"], genome["connections"]
    hidden = [n for n in nodes if n["type"] == "hidden"]
    enabled = [c for c in conns if c["enabled"]]
    kind = "feedforward" if genome["feedforward"] else "recurrent"
    fitness = genome["fitness"]
    lines = [
        f"{kind} NEAT network, fitness {fitness if fitness is not None else 'n/a'}",
        f"  nodes: {genome['num_inputs']} inputs, {genome['num_outputs']} outputs, "
        f"{len(hidden)} hidden",
        f"  connections: {len(enabled)} enabled, {len(conns) - len(enabled)} disabled",
    ]
    acts = sorted({n["activation"] for n in nodes if n["type"] != "input"})
    lines.append(f"  activations: {', '.join(acts)}")
    for c in enabled:
        lines.append(f"    {c['in']:>4} -> {c['out']:<4} weight {c['weight']:+.4f}")
    return "\n".join(lines)
