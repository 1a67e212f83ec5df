"""The file :class:`~evotrain.callbacks.topology.RecordTopology` writes, and its reader.

It imports neither JAX nor the callbacks, so ``evotrain animate`` reads a run without them.
"""

from __future__ import annotations

import json
import os

TOPOLOGY_FILE = "topology.jsonl"
"""One JSON line per generation: ``generation``, ``best_fitness`` and ``genome``."""


def read_topology(path: str | os.PathLike[str]) -> list[dict]:
    """The records of ``path`` (a run folder holding ``topology.jsonl``, or the file).

    Raises:
        FileNotFoundError: no such file (the message says how to make one).
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, TOPOLOGY_FILE)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"No {TOPOLOGY_FILE} at {path}: record one with "
            "model.learn(..., callback=RecordTopology(folder))."
        )
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


__all__ = ["TOPOLOGY_FILE", "read_topology"]
