"""The one place a generation program is made.

A shell describes its generation with a :class:`Recipe` (strategy and params, the policy
network, the env and evaluation settings, the devices, and for populations of genomes
their :class:`Capacity` levels); :func:`make_program` turns it into a
:class:`GenerationProgram`: traced once per capacity level, split over the devices,
jitted, compiled ahead of time and checked against free memory the first time a
generation needs it, and dispatched to the smallest capacity level the population fits.
Host envs (Gymnasium, Ray) get a :class:`~evotrain.training.step.HostGenerationStep`
instead: their evaluation runs in Python between the jitted halves.

One dispatch runs up to :data:`CHUNK` generations (:meth:`GenerationProgram.run`): a
``lax.while_loop`` over the generation step that stops after ``n`` generations, or as
soon as the population needs another capacity level, and hands back every generation's
metrics and best-so-far individual. Every dispatch, of one generation or of many, runs
that one compiled program, so the number of generations per dispatch never changes a
result.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from flax import struct
from jax.sharding import Mesh

from evotrain.envs.base import Env
from evotrain.evaluation.evaluate import EvalConfig, make_evaluator
from evotrain.neat.capacity import fits, grow, level_for, rows_used, shrink
from evotrain.networks.base import Network
from evotrain.strategies.base import Strategy
from evotrain.training.compile import jit_program
from evotrain.training.memory import compile_checked
from evotrain.training.sharding import replicate, replicated_step, shard_evaluator
from evotrain.training.state import TrainState
from evotrain.training.step import make_generation_step
from evotrain.types import Array, Metrics, PyTree

Step = Callable[[TrainState], tuple[TrainState, Metrics]]
Level = tuple[int, int]
Generation = tuple[Metrics, PyTree]
"""One generation's metrics and best-so-far individual, on the host."""

_rows_used = jax.jit(rows_used)

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


@dataclasses.dataclass(frozen=True)
class Capacity:
    """Capacity levels of a population of genomes (see :mod:`evotrain.neat.capacity`).

    Attributes:
        levels: ``(nodes, conns)`` rows a generation may run at, smallest first; the last
            is the full capacity the train state is stored at.
        at: ``level -> (strategy, network)`` for genomes of that many rows.
    """

    levels: tuple[Level, ...]
    at: Callable[[Level], tuple[Strategy, Network]]


@dataclasses.dataclass(frozen=True)
class Recipe:
    """What a generation program is made from.

    Attributes:
        strategy: the strategy (at full capacity).
        params: its ``*Params``.
        network: the policy network (at full capacity).
        env: a jittable env.
        eval_config: how individuals are evaluated.
        mesh: the population's devices.
        pop_size: individuals per generation (for the memory check's advice).
        fast_compile: see :func:`~evotrain.training.compile.jit_program`.
        capacity: capacity levels for populations of genomes (None: one level).
    """

    strategy: Strategy
    params: PyTree
    network: Network
    env: Env
    eval_config: EvalConfig
    mesh: Mesh
    pop_size: int
    fast_compile: bool = False
    capacity: Capacity | None = None


class GenerationProgram:
    """``program(train_state) -> (train_state, metrics)``: one generation, compiled.

    Args:
        recipe: what the program is made from.
    """

    def __init__(self, recipe: Recipe) -> None:
        self.recipe = recipe
        cap = recipe.capacity
        self.levels: tuple[Level, ...] = cap.levels if cap is not None else ()
        self._compiled: dict[int, Any] = {}
        self._size: int | None = None

    def level(self, ts: TrainState) -> int:
        """Index of the capacity level the next generation from ``ts`` runs at (0 when the
        population has no levels). Reads two numbers from the device."""
        if not self.levels:
            return 0
        nodes, conns = jax.device_get(_rows_used(ts))
        return level_for(self.levels, int(nodes), int(conns))

    def jitted(
        self, level: int = 0, eval_config: EvalConfig | None = None, size: int | None = None
    ) -> Any:
        """The jitted (not yet compiled) ``run(train_state, n) -> (train_state, Chunk)`` at
        capacity level ``level``, on train states at full capacity: up to ``n`` (at most
        ``size``) generations, stopping early when the population needs another level.

        Args:
            level: an index into :attr:`levels` (ignored without levels).
            eval_config: evaluation settings (default: the recipe's).
            size: generations one dispatch may run (default: :attr:`size`, set by the
                first train state the program sees).
        """
        r = self.recipe
        config = r.eval_config if eval_config is None else eval_config
        strategy, network = r.strategy, r.network
        if self.levels:
            strategy, network = r.capacity.at(self.levels[level])  # type: ignore[union-attr]
        evaluate = shard_evaluator(make_evaluator(r.env, network, config), r.mesh)
        step: Step = make_generation_step(strategy, r.params, evaluate)
        if self.levels:
            step = _at_level(step, self.levels[level], self.levels[-1])
        stays = _stays_at(self.levels, level) if self.levels else None
        run = _dispatch(step, self.size if size is None else size, stays)
        return jit_program(replicated_step(run, r.mesh, n_args=2), r.fast_compile)

    @property
    def size(self) -> int:
        """The most generations one dispatch runs (:func:`chunk_size` of the first train
        state's best individual; 1 before the program has seen one)."""
        return 1 if self._size is None else self._size

    def _see(self, ts: TrainState) -> None:
        if self._size is None:
            self._size = chunk_size(ts.best_params)

    def compiled(self, ts: TrainState) -> Any:
        """The compiled generation for ``ts``'s level: compiled ahead of time and checked
        against free memory the first time it is needed.

        Raises:
            PopulationTooLargeError: when one generation cannot fit in memory (the message
                says which ``pop_batch_size`` would).
        """
        self._see(ts)
        i = self.level(ts)
        if i not in self._compiled:
            r = self.recipe
            self._compiled[i] = compile_checked(
                lambda config: self.jitted(i, config), r.eval_config, (ts, _n(1)), r.pop_size
            )
        return self._compiled[i]

    def run(self, ts: TrainState, n: int) -> tuple[TrainState, Chunk]:
        """Up to ``n`` generations from ``ts`` in one dispatch (at most :attr:`size`; fewer
        when the population needs another capacity level: ``chunk.done`` says how many)."""
        compiled = self.compiled(ts)  # knows the size from here on
        if not 1 <= n <= self.size:
            raise ValueError(f"a dispatch runs 1 to {self.size} generations, not {n}.")
        return compiled(ts, _n(n))

    def ready(self, ts: TrainState) -> TrainState:
        """``ts`` placed on the program's devices, with the level it runs at next compiled
        ahead of time and checked against free memory.

        Raises:
            PopulationTooLargeError: when one generation cannot fit in memory.
        """
        ts = replicate(ts, self.recipe.mesh)
        self.compiled(ts)
        return ts

    def dispatch(self, ts: TrainState, n: int) -> tuple[TrainState, list[Generation]]:
        """:meth:`run`, with each generation's metrics and best-so-far individual read back
        to the host, in order."""
        ts, chunk = self.run(ts, n)
        metrics, best, done = jax.device_get((chunk.metrics, chunk.best_params, chunk.done))
        pick = lambda tree, i: jax.tree_util.tree_map(lambda x: x[i], tree)  # noqa: E731
        return ts, [(pick(metrics, i), pick(best, i)) for i in range(int(done))]

    def __call__(self, ts: TrainState) -> tuple[TrainState, Metrics]:
        """One generation: the new train state and its metrics."""
        ts, chunk = self.run(ts, 1)
        return ts, jax.tree_util.tree_map(lambda x: x[0], chunk.metrics)

    def lower(self, ts: TrainState) -> Any:
        """``jax.jit``'s lowering of one dispatch at ``ts``'s level."""
        self._see(ts)
        return self.jitted(self.level(ts)).lower(ts, _n(1))


def _n(n: int) -> Array:
    return jnp.asarray(n, jnp.int32)


def _stays_at(levels: tuple[Level, ...], level: int) -> Callable[[TrainState], Array] | None:
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


def _dispatch(
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


def _at_level(inner: Step, level: Level, full: Level) -> Step:
    """A step on full-capacity train states that runs ``inner`` (built for genomes of
    ``level``'s rows) on their leading rows and pads the result back with NaN rows."""

    def step(ts: TrainState) -> tuple[TrainState, Metrics]:
        ts, metrics = inner(shrink(ts, *level))
        return grow(ts, *full), metrics

    return step


SHARED = 8
"""Generation programs kept for reuse by equal recipes (least recently made dropped)."""
_shared: collections.OrderedDict[tuple, GenerationProgram] = collections.OrderedDict()


def make_program(recipe: Recipe) -> GenerationProgram:
    """The generation program of ``recipe`` (a jittable env's).

    Models of equal settings share one program, traced and compiled once: those whose
    strategies compare equal by their settings (NEAT's and HyperNEAT's, the seed-chain
    GA's, any search over genomes whose strategy is a frozen dataclass), on one env
    adapter (``make_env`` gives one per id and options), with equal networks, evaluation,
    devices and capacity levels. The seed is not part of a program, so a sweep over seeds compiles
    once. Strategies compared by identity (those holding an optimizer or an initializer
    closure) get a program of their own.
    """
    if not recipe.env.jittable:
        raise TypeError(
            f"{recipe.env.spec.env_id} is evaluated on the host; its generation is a "
            "HostGenerationStep."
        )
    key = _sharing_key(recipe)
    if key is None:
        return GenerationProgram(recipe)
    program = _shared.pop(key, None) or GenerationProgram(recipe)
    _shared[key] = program
    while len(_shared) > SHARED:
        _shared.popitem(last=False)
    return program


def _sharing_key(r: Recipe) -> tuple | None:
    """What makes two recipes' programs the same, or None when that cannot be told (a
    strategy compared by identity, an unhashable setting)."""
    if type(r.strategy).__eq__ is object.__eq__:
        return None
    levels = None if r.capacity is None else r.capacity.levels  # `at` follows the strategy
    key = (r.strategy, r.params, r.network, r.env, r.eval_config, r.mesh, r.pop_size)
    key = (*key, r.fast_compile, levels)
    try:
        hash(key)
    except TypeError:
        return None
    return key


__all__ = [
    "CHUNK",
    "CHUNK_BYTES",
    "Capacity",
    "Chunk",
    "GenerationProgram",
    "Recipe",
    "chunk_size",
    "make_program",
]
