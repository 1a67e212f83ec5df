"""The file :class:`~evotrain.callbacks.topology.RecordTopology` writes, and its reader.

It imports neither JAX nor the callbacks, so ``evotrain animate`` reads a run without them.
"""

from __future__ import annotations

import json
import os

TOPOLOGY_FILE = "topology.jsonl"
"""One JSON line per generation: ``generation``, ``best_fitness`` and ``genome``."""


def read_lines(path: str | os.PathLike[str], name: str, recorder: str) -> list[dict]:
    """The JSON lines of ``path``: a run folder holding the file ``name``, or the file.

    Raises:
        FileNotFoundError: no such file (the message says which callback records one).
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, name)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"No {name} at {path}: record one with model.learn(..., callback={recorder}(folder))."
        )
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_topology(path: str | os.PathLike[str]) -> list[dict]:
    """The records of ``path`` (a run folder holding ``topology.jsonl``, or the file).

    Raises:
        FileNotFoundError: no such file (the message says how to make one).
    """
    return read_lines(path, TOPOLOGY_FILE, "RecordTopology")


__all__ = ["TOPOLOGY_FILE", "read_lines", "read_topology"]
