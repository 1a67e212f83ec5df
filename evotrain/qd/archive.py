"""Quality-diversity archives: the best individual found in each cell of a descriptor space.

An :class:`Archive` is a pure pytree (jittable, shardable, saved with Orbax like any
state) of ``num_cells`` slots, each holding an elite: its genotype (any pytree: flat
parameters, a NEAT :class:`~evotrain.neat.genome.Genome`), fitness and descriptor. Which
cell a descriptor falls in is the layout's business (:mod:`evotrain.qd.layout`: a grid or
a CVT).

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

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct

from evotrain.qd.layout import Layout
from evotrain.types import Array, PyTree


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
    "Archive",
    "Insertion",
    "coverage",
    "empty_archive",
    "fittest",
    "insert",
    "insert_evaluated",
    "qd_score",
]
