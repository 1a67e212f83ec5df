"""The file :class:`~evotrain.callbacks.archive.RecordArchive` writes, and its reader.

It imports neither JAX nor the callbacks, so ``evotrain animate`` reads a run without them.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from evotrain.callbacks.topology_file import read_lines

ARCHIVE_FILE = "archive.jsonl"
"""JSON lines: first ``{"layout": ...}`` (the archive's cells: ``kind`` ``"grid"`` with
``bins``, ``low``, ``high``, or ``"cvt"`` with ``low``, ``high`` and ``centroids``), then
one line per recorded generation: ``generation``, and ``cells`` and ``fitness``, the
filled cells and their elites' fitness."""


def layout_record(layout: Any, centroids: Any) -> dict[str, Any]:
    """The JSON description of an archive's cells (see :data:`ARCHIVE_FILE`): a
    :class:`~evotrain.qd.GridLayout` by its bins and bounds, a
    :class:`~evotrain.qd.CVTLayout` by its bounds and ``(num_cells, dims)`` centroids."""
    if hasattr(layout, "bins"):
        return {
            "kind": "grid",
            "bins": list(layout.bins),
            "low": list(layout.low),
            "high": list(layout.high),
        }
    return {
        "kind": "cvt",
        "low": list(layout.low),
        "high": list(layout.high),
        "centroids": np.asarray(centroids, np.float64).round(6).tolist(),
    }


def read_archive_records(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[dict]]:
    """``(layout, records)`` of ``path`` (a run folder holding ``archive.jsonl``, or the
    file).

    Raises:
        FileNotFoundError: no such file (the message says how to make one).
        ValueError: the file does not start with its layout.
    """
    lines = read_lines(path, ARCHIVE_FILE, "RecordArchive")
    if not lines or "layout" not in lines[0]:
        raise ValueError(
            f"{path} does not start with the archive's layout: not a RecordArchive file."
        )
    return lines[0]["layout"], lines[1:]


__all__ = ["ARCHIVE_FILE", "layout_record", "read_archive_records"]
