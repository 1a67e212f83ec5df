"""The dispatch loop: up to :data:`CHUNK` generations in one call of a compiled program.

A ``lax.while_loop`` over the generation step that stops after ``n`` generations, or as
soon as the population needs another capacity level, and hands back every generation's
metrics and best-so-far individual (:class:`Chunk`). Every dispatch, of one generation or
of many, runs that one compiled program, so the number of generations per dispatch never
changes a result.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from flax import struct

from evotrain.neat.capacity import fits, grow, rows_used, shrink
from evotrain.training.state import TrainState
from evotrain.types import Array, Metrics, PyTree

Step = Callable[[TrainState], tuple[TrainState, Metrics]]
Level = tuple[int, int]

CHUNK = 32
"""The most generations one dispatch runs (fewer when each generation's best individual is
large: :func:`chunk_size`)."""
CHUNK_BYTES = 64 * 2**20
"""What a dispatch's per-generation best individuals may take, at most."""


def chunk_size(best_params: PyTree) -> int:
    """Generations per dispatch for individuals like ``best_params``: :data:`CHUNK`, fewer
    when :data:`CHUNK` copies would pass :data:`CHUNK_BYTES` (at least one)."""
    nbytes = sum(
        int(jnp.size(x)) * jnp.dtype(x.dtype).itemsize
        for x in jax.tree_util.tree_leaves(best_params)
    )
    return int(max(1, min(CHUNK, CHUNK_BYTES // max(nbytes, 1))))


@struct.dataclass
class Chunk:
    """What one dispatch of :meth:`GenerationProgram.run` gives back.

    Attributes:
        metrics: each generation's metrics, stacked ``(size, ...)``; rows from ``done`` on
            are zeros.
        best_params: the best individual so far after each generation, ``(size, ...)``.
        done: ``()`` int32, the generations run (at least 1, at most the ``n`` asked for).
    """

    metrics: Metrics
    best_params: PyTree
    done: Array


def stays_at(levels: tuple[Level, ...], level: int) -> Callable[[TrainState], Array] | None:
    """``stays(ts)``: whether the next generation from ``ts`` runs at ``level`` too (the
    smallest level it fits, as :meth:`GenerationProgram.level` picks on the host); None
    for the full capacity when no smaller level exists."""
    if len(levels) == 1:
        return None

    def stays(ts: TrainState) -> Array:
        nodes, conns = rows_used(ts)
        fitting = jnp.array([fits(lv, nodes, conns) for lv in levels[:-1]] + [True])
        return jnp.argmax(fitting) == level  # level_for's choice, on the device

    return stays


def dispatch(
    step: Step, size: int, stays: Callable[[TrainState], Array] | None
) -> Callable[[TrainState, Array], tuple[TrainState, Chunk]]:
    """``run(ts, n)``: ``step`` repeated up to ``n`` (<= ``size``) times in one
    ``while_loop``, stopping before a generation that ``stays`` says belongs to another
    capacity level; every generation's metrics and best-so-far individual are kept."""

    traced = jax.jit(step)  # traced once: for the metrics' shapes and in the loop

    def run(ts: TrainState, n: Array) -> tuple[TrainState, Chunk]:
        shapes = jax.eval_shape(traced, ts)[1]
        metrics = jax.tree_util.tree_map(lambda s: jnp.zeros((size, *s.shape), s.dtype), shapes)
        best = jax.tree_util.tree_map(
            lambda x: jnp.zeros((size, *x.shape), x.dtype), ts.best_params
        )

        def more(carry: tuple[Array, TrainState, Metrics, PyTree]) -> Array:
            i, ts, _, _ = carry
            go = i < jnp.minimum(n, size)
            if stays is not None:
                go = go & ((i == 0) | stays(ts))
            return go

        def generation(carry: tuple[Array, TrainState, Metrics, PyTree]) -> tuple:
            i, ts, metrics, best = carry
            ts, m = traced(ts)
            metrics = jax.tree_util.tree_map(lambda b, x: b.at[i].set(x), metrics, m)
            best = jax.tree_util.tree_map(lambda b, x: b.at[i].set(x), best, ts.best_params)
            return i + 1, ts, metrics, best

        done, ts, metrics, best = jax.lax.while_loop(
            more, generation, (jnp.zeros((), jnp.int32), ts, metrics, best)
        )
        return ts, Chunk(metrics=metrics, best_params=best, done=done)

    return run


def at_level(inner: Step, level: Level, full: Level) -> Step:
    """A step on full-capacity train states that runs ``inner`` (built for genomes of
    ``level``'s rows) on their leading rows and pads the result back with NaN rows."""

    def step(ts: TrainState) -> tuple[TrainState, Metrics]:
        ts, metrics = inner(shrink(ts, *level))
        return grow(ts, *full), metrics

    return step


__all__ = [
    "CHUNK",
    "CHUNK_BYTES",
    "Chunk",
    "Level",
    "Step",
    "at_level",
    "chunk_size",
    "dispatch",
    "stays_at",
]
