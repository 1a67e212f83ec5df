"""Learning curves from a run's CSV log (``progress.csv``, written by the ``csv`` logger)."""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from pathlib import Path

DEFAULT_Y = ("fitness/max", "fitness/mean", "fitness/best")


def read_progress(path: str | os.PathLike[str]) -> dict[str, list[float]]:
    """The numeric columns of a CSV log, as lists of floats (NaN where a row is empty).

    Args:
        path: a ``progress.csv`` file, or a run folder holding one.

    Raises:
        FileNotFoundError: if there is no CSV log there.
        ValueError: if the file has no header or no rows.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "progress.csv"
    if not path.is_file():
        raise FileNotFoundError(
            f"No CSV log at {path}; train with the 'csv' logger "
            "(e.g. model.set_logger(configure(folder, ['stdout', 'csv'])))."
        )
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise ValueError(f"{path} holds no logged generations.")
    columns: dict[str, list[float]] = {}
    for name in rows[0]:
        values = []
        for row in rows:
            try:
                values.append(float(row.get(name) or "nan"))
            except ValueError:
                break
        else:
            columns[name] = values
    return columns


def plot_learning_curve(
    log: str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    x: str = "time/total_timesteps",
    y: Sequence[str] = DEFAULT_Y,
    title: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Plots columns of a CSV log against ``x`` and writes the figure (PNG, SVG or PDF).

    Args:
        log: a ``progress.csv`` or the run folder holding it.
        path: the image to write.
        x: the column for the horizontal axis (e.g. ``time/generations``).
        y: the columns to plot; those missing from the log are skipped.
        title: a title (default: the log's folder name).
        overwrite: replace an existing image.

    Raises:
        KeyError: if ``x`` or every ``y`` column is missing (the message lists the columns).
        FileExistsError: if ``path`` exists and ``overwrite`` is False.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    columns = read_progress(log)
    present = [name for name in y if name in columns]
    if x not in columns or not present:
        raise KeyError(
            f"The log has no column {x!r} or none of {list(y)}; its numeric columns are "
            f"{sorted(columns)}."
        )
    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    for name in present:
        pairs = [(a, b) for a, b in zip(columns[x], columns[name]) if math.isfinite(b)]
        ax.plot([a for a, _ in pairs], [b for _, b in pairs], label=name, linewidth=1.4)
    ax.set_xlabel(x)
    ax.set_ylabel("fitness" if all(n.startswith("fitness/") for n in present) else "value")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    log_path = Path(log)
    ax.set_title(
        title if title is not None else (log_path if log_path.is_dir() else log_path.parent).name
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


__all__ = ["plot_learning_curve", "read_progress"]
