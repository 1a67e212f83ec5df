"""Quality-diversity archives: the best individual found in each cell of a descriptor space.

An :class:`Archive` is a pure pytree (jittable, shardable, saved with Orbax like any
state) of ``num_cells`` slots, each holding an elite: its genotype (any pytree: flat
parameters, a NEAT :class:`~evotrain.neat.genome.Genome`), fitness and descriptor. Which
cell a descriptor falls in is the layout's business:

- :class:`GridLayout`: ``bins`` per descriptor dimension over ``[low, high]``; a descriptor
  outside the bounds is clipped to the border cell;
- :class:`CVTLayout`: ``num_cells`` centroids from k-means on uniform samples of the box
  (made once with a fixed seed by :func:`cvt_centroids`, and kept in the archive, so a
  saved archive keeps its cells); a descriptor belongs to its nearest centroid (ties to
  the lowest index).

:func:`insert` adds a batch deterministically: within the batch the fittest candidate of
each cell wins, ties going to the lowest batch index; it replaces the cell's elite only if
strictly fitter (an empty cell holds ``-inf``). Candidates with a non-finite fitness or
descriptor are never inserted, and are counted (``Archive.rejected``).

Every archive also keeps CMA-MAE's acceptance thresholds (Fontaine & Nikolaidis 2023):
a candidate above its cell's threshold ``t`` improves the archive by ``f - t``, and the
threshold moves to ``(1 - lr) t + lr f``. Several candidates of one cell in a batch are
applied in ascending fitness (so each still exceeds the moved threshold). With ``lr = 1``
the threshold is the elite's fitness (CMA-ME); with ``lr = 0`` it stays at
``threshold_min`` and the improvement is the fitness itself (CMA-ES). The elites above
are the separate, elitist result archive.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct

from evotrain.limits import MAX_POP_SIZE
from evotrain.types import Array, PyTree

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


@struct.dataclass
class Archive:
    """The elites of a descriptor space's cells (see the module docs).

    Attributes:
        genotypes: the elites, a pytree whose leaves have leading axis ``num_cells``
            (zeros where a cell is empty).
        fitness: ``(num_cells,)`` float32 elite fitness; ``-inf`` where empty.
        descriptors: ``(num_cells, dims)`` float32 elite descriptors (the cell's centroid
            where empty).
        filled: ``(num_cells,)`` bool.
        threshold: ``(num_cells,)`` float32 CMA-MAE acceptance thresholds.
        centroids: ``(num_cells, dims)`` float32 cell centres (grid) or CVT centroids.
        rejected: ``()`` int32 candidates ever offered with a non-finite fitness or
            descriptor (never inserted).
    """

    genotypes: PyTree
    fitness: Array
    descriptors: Array
    filled: Array
    threshold: Array
    centroids: Array
    rejected: Array


@struct.dataclass
class Insertion:
    """What one :func:`insert` did with each of its ``n`` candidates.

    Attributes:
        cell: ``(n,)`` int32 cell of each candidate (its descriptor's, finite or not:
            meaningless where ``valid`` is False).
        valid: ``(n,)`` bool: finite fitness and descriptor.
        added: ``(n,)`` bool: became its cell's elite.
        new_cell: ``(n,)`` bool: added to a cell that was empty.
        improvement: ``(n,)`` float32 ``f - threshold`` for candidates above their cell's
            CMA-MAE threshold, else 0 (``inf`` over a ``-inf`` threshold).
    """

    cell: Array
    valid: Array
    added: Array
    new_cell: Array
    improvement: Array


def empty_archive(
    layout: Layout, genotype: PyTree, threshold_min: float = -np.inf, blank: bool = False
) -> Archive:
    """An archive of ``layout``'s cells, all empty, for genotypes shaped like ``genotype``
    (one individual, no leading axis); CMA-MAE thresholds start at ``threshold_min``.

    Empty cells hold zeros, or with ``blank`` a copy of ``genotype`` itself (an empty
    genome of NaN rows, which capacity levels read as using no rows)."""
    c = layout.num_cells

    def slots(x: Array) -> Array:
        x = jnp.asarray(x)
        return jnp.broadcast_to(x, (c, *x.shape)) if blank else jnp.zeros((c, *x.shape), x.dtype)

    centroids = jnp.asarray(layout.centroids(), jnp.float32)
    return Archive(
        genotypes=jax.tree_util.tree_map(slots, genotype),
        fitness=jnp.full((c,), -jnp.inf, jnp.float32),
        descriptors=centroids,
        filled=jnp.zeros((c,), bool),
        threshold=jnp.full((c,), threshold_min, jnp.float32),
        centroids=centroids,
        rejected=jnp.zeros((), jnp.int32),
    )


def insert(
    archive: Archive,
    layout: Layout,
    genotypes: PyTree,
    fitness: Array,
    descriptors: Array,
    learning_rate: float | Array = 1.0,
) -> tuple[Archive, Insertion]:
    """Adds a batch of ``n`` candidates (see the module docs).

    Args:
        archive: the archive.
        layout: its cells.
        genotypes: the candidates, leaves with leading axis ``n``.
        fitness: ``(n,)`` their fitness (maximized).
        descriptors: ``(n, dims)`` their descriptors.
        learning_rate: CMA-MAE's archive learning rate in ``[0, 1]``.

    Returns:
        The new archive and what became of each candidate.
    """
    fitness = jnp.asarray(fitness, jnp.float32)
    descriptors = jnp.asarray(descriptors, jnp.float32)
    n, c = fitness.shape[0], archive.fitness.shape[0]
    valid = jnp.isfinite(fitness) & jnp.all(jnp.isfinite(descriptors), axis=1)
    safe = jnp.where(valid[:, None], descriptors, archive.centroids[0])
    cell = layout.index(safe, archive.centroids)
    bucket = jnp.where(valid, cell, c)  # invalid candidates go to a dropped bucket
    idx = jnp.arange(n, dtype=jnp.int32)

    # The elitist result archive: the batch's best per cell (ties: lowest index), if fitter.
    f = jnp.where(valid, fitness, -jnp.inf)
    best = jax.ops.segment_max(f, bucket, num_segments=c + 1)
    top = valid & (f == best[bucket])
    first = jax.ops.segment_min(jnp.where(top, idx, n), bucket, num_segments=c + 1)
    winner = top & (idx == first[bucket])
    old = archive.fitness[jnp.minimum(bucket, c - 1)]
    added = winner & (f > old)
    target = jnp.where(added, bucket, c)  # one candidate per cell at most: no write races

    def put(slots: Array, values: Array) -> Array:
        return slots.at[target].set(values.astype(slots.dtype), mode="drop")

    # CMA-MAE thresholds: every candidate above its cell's threshold, in ascending fitness.
    t0 = archive.threshold[jnp.minimum(bucket, c - 1)]
    above = valid & (f > t0)
    improvement = jnp.where(above, f - t0, 0.0)
    group = jnp.where(above, bucket, c)
    order = jnp.lexsort((f, group))  # by cell, then ascending fitness
    sorted_group = group[order]
    position = jnp.arange(n)
    start = jax.ops.segment_min(position, sorted_group, num_segments=c + 1)
    rank = jnp.zeros(n, jnp.int32).at[order].set((position - start[sorted_group]).astype(jnp.int32))
    count = jax.ops.segment_sum(above.astype(jnp.int32), group, num_segments=c + 1)[:c]
    lr = jnp.asarray(learning_rate, jnp.float32)
    keep = 1.0 - lr
    weight = lr * keep ** (count[jnp.minimum(group, c - 1)] - 1 - rank).astype(jnp.float32)
    added_mass = jax.ops.segment_sum(jnp.where(above, weight * f, 0.0), group, num_segments=c + 1)
    decay = keep ** count.astype(jnp.float32)
    base = jnp.where(decay == 0, 0.0, decay * archive.threshold)  # lr = 1: no -inf * 0
    threshold = jnp.where(count > 0, base + added_mass[:c], archive.threshold)

    new = Archive(
        genotypes=jax.tree_util.tree_map(put, archive.genotypes, genotypes),
        fitness=put(archive.fitness, f),
        descriptors=put(archive.descriptors, descriptors),
        filled=put(archive.filled, jnp.ones(n, bool)),
        threshold=threshold,
        centroids=archive.centroids,
        rejected=archive.rejected + jnp.sum(~valid).astype(jnp.int32),
    )
    insertion = Insertion(
        cell=cell,
        valid=valid,
        added=added,
        new_cell=added & ~archive.filled[jnp.minimum(bucket, c - 1)],
        improvement=improvement,
    )
    return new, insertion


def insert_evaluated(
    archive: Archive,
    layout: Layout,
    population: PyTree,
    evaluation: Any,
    qd_offset: float = 0.0,
    learning_rate: float | Array = 1.0,
) -> tuple[Archive, Insertion, dict[str, Array]]:
    """:func:`insert` of an evaluated batch (an
    :class:`~evotrain.evaluation.result.Evaluation` with descriptors), with the metrics a
    quality-diversity strategy logs: ``qd_score``, ``coverage``, ``archive_max``,
    ``archive_mean`` (over filled cells) and ``added``.

    Raises:
        ValueError: the evaluation carries no descriptors (at trace time).
    """
    if getattr(evaluation, "descriptors", None) is None:
        raise ValueError(
            "Quality-diversity places each individual by its behaviour descriptor, and this "
            "evaluation computed none: ask for one (descriptor=... on the model, "
            "EvalConfig(descriptor=...) on an evaluator)."
        )
    archive, ins = insert(
        archive, layout, population, evaluation.fitness, evaluation.descriptors, learning_rate
    )
    filled = jnp.sum(archive.filled)
    metrics = {
        "qd_score": qd_score(archive, qd_offset),
        "coverage": coverage(archive),
        "archive_max": jnp.max(archive.fitness),
        "archive_mean": jnp.sum(jnp.where(archive.filled, archive.fitness, 0.0))
        / jnp.maximum(filled, 1),
        "added": jnp.sum(ins.added).astype(jnp.int32),
    }
    return archive, ins, metrics


def fittest(archive: Archive, fallback: PyTree) -> PyTree:
    """The archive's fittest elite (a genotype), or ``fallback`` (one genotype) while the
    archive is empty."""
    any_filled = jnp.any(archive.filled)
    best = jnp.argmax(archive.fitness)
    return jax.tree_util.tree_map(
        lambda slots, other: jnp.where(any_filled, slots[best], other), archive.genotypes, fallback
    )


def qd_score(archive: Archive, offset: float = 0.0) -> Array:
    """``()`` the sum over filled cells of ``fitness - offset`` (choose ``offset`` at or
    below the lowest fitness possible, so that every elite adds to the score)."""
    return jnp.sum(jnp.where(archive.filled, archive.fitness - offset, 0.0))


def coverage(archive: Archive) -> Array:
    """``()`` the fraction of cells filled."""
    return jnp.mean(archive.filled.astype(jnp.float32))


__all__ = [
    "MAX_CELLS",
    "Archive",
    "CVTLayout",
    "GridLayout",
    "Insertion",
    "Layout",
    "coverage",
    "cvt_centroids",
    "empty_archive",
    "fittest",
    "insert",
    "insert_evaluated",
    "nearest",
    "qd_score",
]
