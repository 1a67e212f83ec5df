"""Pictures of a quality-diversity archive: which cells hold an elite, and how fit.

:func:`plot_archive` draws a grid archive as a heatmap (1-D as a strip; 2-D as the grid;
more dimensions projected onto two, each pixel the fittest elite over the others) and a
CVT archive as its centroids coloured by fitness. :func:`archive_rows` gives the filled
cells as plain columns (for a CSV file or a DataFrame).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import numpy as np


def _parts(source: Any, layout: Any) -> tuple[Any, Any]:
    """``(archive, layout)`` from a model with ``archive`` and ``layout``, or given."""
    if layout is None:
        if not hasattr(source, "archive") or not hasattr(source, "layout"):
            raise TypeError(
                "plot_archive takes a quality-diversity model (MAPElites) or an archive "
                "with its layout: plot_archive(archive, path, layout=...)."
            )
        return source.archive, source.layout
    return source, layout


def _grid_image(
    fitness: np.ndarray, filled: np.ndarray, bins: tuple[int, ...], dims: tuple[int, int]
) -> np.ndarray:
    """``(bins[dims[0]], bins[dims[1]])`` fittest elite per pixel (NaN where none), the
    other dimensions maxed over."""
    values = np.where(filled, fitness, -np.inf).reshape(bins)
    others = tuple(i for i in range(len(bins)) if i not in dims)
    image = values.max(axis=others) if others else values
    if dims[0] > dims[1]:
        image = image.T
    return np.where(np.isfinite(image), image, np.nan)


def plot_archive(
    source: Any,
    path: str | os.PathLike[str],
    *,
    layout: Any = None,
    dims: tuple[int, int] = (0, 1),
    title: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Draws an archive's elites by cell, coloured by fitness, to an image file.

    Args:
        source: a :class:`~evotrain.algorithms.map_elites.MAPElites` model, or an
            :class:`~evotrain.qd.Archive` (then pass ``layout``).
        path: the image to write (PNG, SVG or PDF).
        layout: the archive's :class:`~evotrain.qd.GridLayout` or
            :class:`~evotrain.qd.CVTLayout` when ``source`` is an archive.
        dims: the two descriptor dimensions on the axes (descriptors of more dimensions
            are projected: each pixel shows the fittest elite over the others).
        title: a title (default: the coverage and the best fitness).
        overwrite: replace an existing image.

    Raises:
        FileExistsError: ``path`` exists and ``overwrite`` is False.
        ValueError: ``dims`` names a dimension the descriptor lacks, or twice.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from evotrain.qd import GridLayout

    archive, layout = _parts(source, layout)
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    fitness = np.asarray(archive.fitness, np.float64)
    filled = np.asarray(archive.filled)
    size = layout.dims
    if size > 1 and (len(set(dims)) != 2 or not all(0 <= d < size for d in dims)):
        raise ValueError(f"dims must be two different dimensions of 0 to {size - 1}, got {dims}.")
    fig, ax = plt.subplots(figsize=(5.5, 4.5) if size > 1 else (7, 2))
    best = f"{fitness[filled].max():.4g}" if filled.any() else "none"
    ax.set_title(title or f"coverage {filled.mean():.1%}, best {best}")
    if isinstance(layout, GridLayout):
        if size == 1:
            image = np.where(filled, fitness, np.nan)[None, :]
            extent = (layout.low[0], layout.high[0], 0, 1)
            ax.set_yticks([])
        else:
            image = _grid_image(fitness, filled, layout.bins, dims).T
            extent = (
                layout.low[dims[0]],
                layout.high[dims[0]],
                layout.low[dims[1]],
                layout.high[dims[1]],
            )
        shown = ax.imshow(image, origin="lower", extent=extent, aspect="auto", cmap="viridis")
    else:
        centroids = np.asarray(archive.centroids)
        x = centroids[:, dims[0] if size > 1 else 0]
        y = centroids[:, dims[1]] if size > 1 else np.zeros_like(x)
        ax.scatter(x[~filled], y[~filled], s=12, c="lightgrey", marker="s")
        shown = ax.scatter(
            x[filled], y[filled], s=12, c=fitness[filled], marker="s", cmap="viridis"
        )
    ax.set_xlabel(f"descriptor {dims[0] if size > 1 else 0}")
    if size > 1:
        ax.set_ylabel(f"descriptor {dims[1]}")
    fig.colorbar(shown, ax=ax, label="fitness")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def archive_rows(archive: Any) -> dict[str, list[Any]]:
    """The filled cells as columns: ``cell``, ``fitness`` and ``descriptor_<i>`` per
    dimension (``pandas.DataFrame(archive_rows(a))`` makes a table of them)."""
    filled = np.asarray(archive.filled)
    cells = np.flatnonzero(filled)
    rows: dict[str, list[Any]] = {
        "cell": cells.tolist(),
        "fitness": np.asarray(archive.fitness)[cells].tolist(),
    }
    for i, column in enumerate(np.asarray(archive.descriptors)[cells].T):
        rows[f"descriptor_{i}"] = column.tolist()
    return rows


def write_archive_csv(archive: Any, path: str | os.PathLike[str], overwrite: bool = False) -> Path:
    """Writes :func:`archive_rows` as a CSV file.

    Raises:
        FileExistsError: ``path`` exists and ``overwrite`` is False.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    rows = archive_rows(archive)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(rows)
        writer.writerows(zip(*rows.values()))
    return path


__all__ = ["archive_rows", "plot_archive", "write_archive_csv"]
