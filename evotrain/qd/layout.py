"""The cells of a quality-diversity archive: a regular grid or a centroidal Voronoi
tessellation of a box of behaviour descriptors.

- :class:`GridLayout`: ``bins`` per descriptor dimension over ``[low, high]``; a descriptor
  outside the bounds is clipped to the border cell;
- :class:`CVTLayout`: ``num_cells`` centroids from k-means on uniform samples of the box
  (made once with a fixed seed by :func:`cvt_centroids`, and kept in the archive, so a
  saved archive keeps its cells); a descriptor belongs to its nearest centroid (ties to
  the lowest index).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from evotrain.limits import MAX_POP_SIZE
from evotrain.types import Array

MAX_CELLS = MAX_POP_SIZE
"""The most cells an archive may have."""


def _box(low: Sequence[float], high: Sequence[float], dims: int | None = None) -> None:
    if len(low) != len(high) or (dims is not None and len(low) != dims):
        raise ValueError(
            f"low and high must give one bound per descriptor dimension ({dims or len(low)}); "
            f"got {len(low)} and {len(high)}."
        )
    if not low:
        raise ValueError("A descriptor space needs at least one dimension.")
    for lo, hi in zip(low, high):
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"Each bound needs finite low < high, got [{lo}, {hi}].")


@dataclasses.dataclass(frozen=True)
class GridLayout:
    """A regular grid: ``bins[i]`` equal cells over ``[low[i], high[i]]`` per dimension.

    Cells are numbered row-major (the last dimension varies fastest).
    """

    bins: tuple[int, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "bins", tuple(int(b) for b in self.bins))
        object.__setattr__(self, "low", tuple(float(x) for x in self.low))
        object.__setattr__(self, "high", tuple(float(x) for x in self.high))
        _box(self.low, self.high, len(self.bins))
        if any(b < 1 for b in self.bins) or math.prod(self.bins) > MAX_CELLS:
            raise ValueError(
                f"bins must be positive with at most {MAX_CELLS} cells in all, got {self.bins}."
            )

    @property
    def num_cells(self) -> int:
        return math.prod(self.bins)

    @property
    def dims(self) -> int:
        return len(self.bins)

    def index(self, descriptors: Array, centroids: Array) -> Array:
        """``(n,)`` int32 cells of ``(n, dims)`` descriptors (clipped to the border cells;
        ``centroids`` is not used)."""
        del centroids
        low, high = jnp.asarray(self.low), jnp.asarray(self.high)
        bins = jnp.asarray(self.bins)
        scaled = (descriptors - low) / (high - low) * bins
        coords = jnp.clip(jnp.floor(scaled), 0, bins - 1).astype(jnp.int32)
        strides = np.cumprod((1, *self.bins[:0:-1]))[::-1].astype(np.int32)
        return coords @ jnp.asarray(strides)

    def centroids(self) -> np.ndarray:
        """``(num_cells, dims)`` float32 cell centres, in cell order."""
        axes = [
            lo + (np.arange(b) + 0.5) * (hi - lo) / b
            for b, lo, hi in zip(self.bins, self.low, self.high)
        ]
        mesh = np.meshgrid(*axes, indexing="ij")
        return np.stack([m.ravel() for m in mesh], axis=1).astype(np.float32)


@dataclasses.dataclass(frozen=True)
class CVTLayout:
    """A centroidal Voronoi tessellation of the box ``[low, high]`` into ``num_cells``
    cells (:func:`cvt_centroids` with ``seed``, ``samples`` and ``iterations``)."""

    num_cells: int
    low: tuple[float, ...]
    high: tuple[float, ...]
    seed: int = 0
    samples: int = 25_000
    iterations: int = 30

    def __post_init__(self) -> None:
        object.__setattr__(self, "low", tuple(float(x) for x in self.low))
        object.__setattr__(self, "high", tuple(float(x) for x in self.high))
        _box(self.low, self.high)
        if not 1 <= self.num_cells <= min(MAX_CELLS, self.samples):
            raise ValueError(
                f"num_cells must be from 1 to the number of samples ({self.samples}) and at "
                f"most {MAX_CELLS}, got {self.num_cells}."
            )
        if self.iterations < 0:
            raise ValueError(f"iterations must be >= 0, got {self.iterations}.")

    @property
    def dims(self) -> int:
        return len(self.low)

    def index(self, descriptors: Array, centroids: Array) -> Array:
        """``(n,)`` int32 nearest of the ``(num_cells, dims)`` centroids to each of the
        ``(n, dims)`` descriptors (ties to the lowest index)."""
        return nearest(descriptors, centroids)

    def centroids(self) -> np.ndarray:
        """``(num_cells, dims)`` float32 centroids (:func:`cvt_centroids`; computed once
        per layout, also when first asked for inside a traced function)."""
        return _cvt_once(self)


@functools.lru_cache(maxsize=16)
def _cvt_once(layout: CVTLayout) -> np.ndarray:
    with jax.ensure_compile_time_eval():
        args = (layout.num_cells, layout.low, layout.high, layout.seed)
        centroids = np.asarray(cvt_centroids(*args, layout.samples, layout.iterations))
    centroids.flags.writeable = False  # shared by every caller
    return centroids


Layout = GridLayout | CVTLayout


def nearest(points: Array, centroids: Array) -> Array:
    """``(n,)`` int32 index of the nearest of ``(c, d)`` centroids to each ``(n, d)`` point."""
    d2 = (
        jnp.sum(points**2, axis=1, keepdims=True)
        - 2.0 * points @ centroids.T
        + jnp.sum(centroids**2, axis=1)[None, :]
    )
    return jnp.argmin(d2, axis=1).astype(jnp.int32)


@functools.partial(jax.jit, static_argnums=(0, 1, 2, 3, 4, 5))
def cvt_centroids(
    num_cells: int,
    low: tuple[float, ...],
    high: tuple[float, ...],
    seed: int = 0,
    samples: int = 25_000,
    iterations: int = 30,
) -> Array:
    """K-means (Lloyd's iterations) on ``samples`` uniform points of the box: the
    ``(num_cells, len(low))`` float32 centroids of a CVT archive, the same for the same
    arguments on one machine (an archive keeps its own, so a saved one never changes)."""
    lo, hi = jnp.asarray(low, jnp.float32), jnp.asarray(high, jnp.float32)
    u = jax.random.uniform(jax.random.key(seed), (samples, len(low)), jnp.float32)
    points = lo + u * (hi - lo)

    def lloyd(centroids: Array, _: None) -> tuple[Array, None]:
        cell = nearest(points, centroids)
        sums = jax.ops.segment_sum(points, cell, num_segments=num_cells)
        counts = jax.ops.segment_sum(jnp.ones(samples), cell, num_segments=num_cells)
        moved = sums / jnp.maximum(counts, 1.0)[:, None]
        return jnp.where(counts[:, None] > 0, moved, centroids), None

    centroids, _ = jax.lax.scan(lloyd, points[:num_cells], None, length=iterations)
    return centroids


__all__ = ["MAX_CELLS", "CVTLayout", "GridLayout", "Layout", "cvt_centroids", "nearest"]
