"""An exported genome (``model.best_genome``) as a graph: the connections that carry values."""

from __future__ import annotations

from typing import Any


def enabled_connections(genome: dict[str, Any]) -> list[tuple[int, int, float]]:
    """``(in_key, out_key, weight)`` of every enabled connection whose two nodes exist, in
    the genome's connection order."""
    keys = {int(n["key"]) for n in genome["nodes"]}
    return [
        (int(c["in"]), int(c["out"]), float(c["weight"]))
        for c in genome["connections"]
        if c["enabled"] and c["in"] in keys and c["out"] in keys
    ]


__all__ = ["enabled_connections"]
