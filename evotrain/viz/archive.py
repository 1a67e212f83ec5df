"""Pictures of a quality-diversity archive: which cells hold an elite, and how fit.

:func:`plot_archive` draws a grid archive as a heatmap (1-D as a strip; 2-D as the grid;
more dimensions projected onto two, each pixel the fittest elite over the others) and a
CVT archive as its centroids coloured by fitness; :func:`animate_archive` makes a GIF or MP4
of one filling in, from what :class:`~evotrain.callbacks.RecordArchive` recorded.
:func:`archive_rows` gives the filled cells as plain columns (for a CSV file or a
DataFrame).
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


def _draw(
    ax: Any,
    fitness: np.ndarray,
    filled: np.ndarray,
    cells: dict[str, Any],
    dims: tuple[int, int],
    limits: tuple[float, float] | None = None,
) -> Any:
    """Draws one archive on ``ax``: ``fitness`` and ``filled`` ``(num_cells,)``,
    ``cells`` the layout's JSON description (``layout_record``); ``limits`` fixes the
    colour scale. Returns the image or scatter (for a colour bar)."""
    size = len(cells["low"])
    vmin, vmax = limits if limits is not None else (None, None)
    if cells["kind"] == "grid":
        low, high = cells["low"], cells["high"]
        if size == 1:
            image = np.where(filled, fitness, np.nan)[None, :]
            extent = (low[0], high[0], 0, 1)
            ax.set_yticks([])
        else:
            image = _grid_image(fitness, filled, tuple(cells["bins"]), dims).T
            extent = (low[dims[0]], high[dims[0]], low[dims[1]], high[dims[1]])
        shown = ax.imshow(
            image,
            origin="lower",
            extent=extent,
            aspect="auto",
            cmap="viridis",
            vmin=vmin,
            vmax=vmax,
        )
    else:
        centroids = np.asarray(cells["centroids"])
        x = centroids[:, dims[0] if size > 1 else 0]
        y = centroids[:, dims[1]] if size > 1 else np.zeros_like(x)
        ax.scatter(x[~filled], y[~filled], s=12, c="lightgrey", marker="s")
        shown = ax.scatter(
            x[filled],
            y[filled],
            s=12,
            c=fitness[filled],
            marker="s",
            cmap="viridis",
            vmin=vmin,
            vmax=vmax,
        )
    ax.set_xlabel(f"descriptor {dims[0] if size > 1 else 0}")
    if size > 1:
        ax.set_ylabel(f"descriptor {dims[1]}")
    return shown


def _check_dims(size: int, dims: tuple[int, int]) -> None:
    if size > 1 and (len(set(dims)) != 2 or not all(0 <= d < size for d in dims)):
        raise ValueError(f"dims must be two different dimensions of 0 to {size - 1}, got {dims}.")


def _summary(fitness: np.ndarray, filled: np.ndarray) -> str:
    best = f"{fitness[filled].max():.4g}" if filled.any() else "none"
    return f"coverage {filled.mean():.1%}, best {best}"


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
        source: a quality-diversity model (:class:`~evotrain.algorithms.map_elites.MAPElites`,
            ...), or an :class:`~evotrain.qd.Archive` (then pass ``layout``).
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

    from evotrain.callbacks.archive_file import layout_record

    archive, layout = _parts(source, layout)
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (CLI: --force) to replace it.")
    fitness = np.asarray(archive.fitness, np.float64)
    filled = np.asarray(archive.filled)
    _check_dims(layout.dims, dims)
    fig, ax = plt.subplots(figsize=(5.5, 4.5) if layout.dims > 1 else (7, 2))
    ax.set_title(title or _summary(fitness, filled))
    shown = _draw(ax, fitness, filled, layout_record(layout, archive.centroids), dims)
    fig.colorbar(shown, ax=ax, label="fitness")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def animate_archive(
    run: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    fps: float = 4.0,
    dims: tuple[int, int] = (0, 1),
    title: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Writes the filling of a recorded archive as a GIF or MP4: one heatmap per record of
    :class:`~evotrain.callbacks.RecordArchive`, on one colour scale.

    Args:
        run: the run folder holding ``archive.jsonl`` (or the file itself).
        out: the ``.gif`` or ``.mp4`` file to write.
        fps: records per second.
        dims: the two descriptor dimensions on the axes (as for :func:`plot_archive`).
        title: a title before each frame's generation (default: the run folder's name).
        overwrite: replace an existing file.

    Returns:
        The path written.

    Raises:
        FileNotFoundError: no ``archive.jsonl`` at ``run``.
        FileExistsError: ``out`` exists and ``overwrite`` is False.
        ValueError: an unsupported suffix, no records, or bad ``dims``.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from evotrain.callbacks.archive_file import read_archive_records
    from evotrain.viz.video import save_video, video_target

    out = video_target(out, overwrite)
    cells, records = read_archive_records(run)
    if not records:
        raise ValueError(f"{run} records no generations yet.")
    _check_dims(len(cells["low"]), dims)
    num_cells = len(cells["centroids"]) if cells["kind"] == "cvt" else int(np.prod(cells["bins"]))
    values = np.concatenate([np.asarray(r["fitness"], np.float64) for r in records])
    limits = (float(values.min()), float(values.max())) if values.size else None
    title = title if title is not None else Path(os.fspath(run)).name
    frames = []
    for record in records:
        fitness = np.full(num_cells, -np.inf)
        fitness[record["cells"]] = record["fitness"]
        filled = np.isfinite(fitness)
        fig, ax = plt.subplots(figsize=(5.5, 4.5) if len(cells["low"]) > 1 else (7, 2), dpi=80)
        ax.set_title(f"{title}: generation {record['generation']}, {_summary(fitness, filled)}")
        fig.colorbar(_draw(ax, fitness, filled, cells, dims, limits), ax=ax, label="fitness")
        fig.tight_layout()
        fig.canvas.draw()
        frames.append(np.asarray(fig.canvas.buffer_rgba())[..., :3].copy())
        plt.close(fig)
    return save_video(frames, out, fps, overwrite=True)


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
        raise FileExistsError(f"{path} exists; pass overwrite=True (CLI: --force) to replace it.")
    rows = archive_rows(archive)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(rows)
        writer.writerows(zip(*rows.values()))
    return path


__all__ = ["animate_archive", "archive_rows", "plot_archive", "write_archive_csv"]
