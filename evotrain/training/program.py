"""The one place a generation program is made.

A shell describes its generation with a :class:`Recipe` (strategy and params, the policy
network, the env and evaluation settings, the devices, and for populations of genomes
their :class:`Capacity` levels); :func:`make_program` turns it into a
:class:`GenerationProgram`: traced once per capacity level, split over the devices,
jitted, compiled ahead of time and checked against free memory the first time a
generation needs it, and dispatched to the smallest capacity level the population fits.
Host envs (Gymnasium, Ray) get a :class:`~evotrain.training.step.HostGenerationStep`
instead: their evaluation runs in Python between the jitted halves.

One dispatch runs up to :data:`~evotrain.training.dispatch.CHUNK` generations
(:meth:`GenerationProgram.run`, the loop of :mod:`evotrain.training.dispatch`). Programs
are shared by equal recipes (:func:`make_program`), and a population nearing its next
capacity level can have that level compiled in the background
(:meth:`GenerationProgram.compile_ahead`).
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import functools
import math
import time
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax.sharding import Mesh

from evotrain.envs.base import Env
from evotrain.evaluation.evaluate import EvalConfig, make_evaluator
from evotrain.neat.capacity import CONN_GROWTH, NODE_GROWTH, fits, level_for, rows_used
from evotrain.networks.base import Network
from evotrain.strategies.base import Strategy, value_key
from evotrain.training.compile import jit_program
from evotrain.training.dispatch import Chunk, Level, Step, at_level, chunk_size, dispatch, stays_at
from evotrain.training.memory import compile_checked
from evotrain.training.sharding import replicate, replicated_step, shard_evaluator
from evotrain.training.state import TrainState
from evotrain.training.step import make_generation_step
from evotrain.types import Array, Metrics, PyTree

Generation = tuple[Metrics, PyTree]
"""One generation's metrics and best-so-far individual, on the host."""

_rows_used = jax.jit(rows_used)


def _rows(ts: TrainState) -> tuple[int, int]:
    """The node and connection rows ``ts``'s genomes use, read from the device."""
    nodes, conns = jax.device_get(_rows_used(ts))
    return int(nodes), int(conns)


AHEAD = 8
"""Generations of the most growth a population may take before it needs the next capacity
level, when :meth:`GenerationProgram.compile_ahead` starts compiling that level at the
latest (earlier when a compile takes longer than that many generations)."""


@functools.cache
def _background() -> concurrent.futures.ThreadPoolExecutor:
    """The one thread that compiles capacity levels ahead of need."""
    return concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="evotrain-compile")


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
        self._pending: dict[int, concurrent.futures.Future] = {}
        self._compile_seconds = 0.0  # the longest compile of a level so far
        self._size: int | None = None

    def level(self, ts: TrainState) -> int:
        """Index of the capacity level the next generation from ``ts`` runs at (0 when the
        population has no levels). Reads two numbers from the device."""
        if not self.levels:
            return 0
        return level_for(self.levels, *_rows(ts))

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
            step = at_level(step, self.levels[level], self.levels[-1])
        stays = stays_at(self.levels, level) if self.levels else None
        run = dispatch(step, self.size if size is None else size, stays)
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
        against free memory the first time it is needed (or taken from
        :meth:`compile_ahead`'s background compile).

        Raises:
            PopulationTooLargeError: when one generation cannot fit in memory (the message
                says which ``pop_batch_size`` would).
        """
        self._see(ts)
        i = self.level(ts)
        if i not in self._compiled:
            pending = self._pending.pop(i, None)
            self._compiled[i] = pending.result() if pending else self._compile(i, ts)
        return self._compiled[i]

    def _compile(self, i: int, ts: TrainState) -> Any:
        r = self.recipe
        start = time.perf_counter()
        compiled = compile_checked(
            lambda config: self.jitted(i, config), r.eval_config, (ts, _n(1)), r.pop_size
        )
        self._compile_seconds = max(self._compile_seconds, time.perf_counter() - start)
        return compiled

    def compile_ahead(self, ts: TrainState, generation_seconds: float | None = None) -> bool:
        """Starts compiling the capacity level after ``ts``'s in a background thread when
        the population could need it soon, so that reaching it does not stop the run to
        compile: within :data:`AHEAD` generations of the most growth, or within as many
        generations as a compile of this program takes (``generation_seconds``: the time
        of one). The result is the same program a compile on need gives; its errors are
        raised when the level is needed.

        Returns:
            Whether a compile started.
        """
        if len(self.levels) < 2:
            return False
        nodes, conns = _rows(ts)
        i = level_for(self.levels, nodes, conns)
        after = i + 1
        if after == len(self.levels) or after in self._compiled or after in self._pending:
            return False
        lead = AHEAD
        if generation_seconds:
            lead = max(lead, math.ceil(self._compile_seconds / generation_seconds))
        if fits(self.levels[i], nodes + lead * NODE_GROWTH, conns + lead * CONN_GROWTH):
            return False
        self._see(ts)
        self._pending[after] = _background().submit(self._compile, after, ts)
        return True

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


SHARED = 8
"""Generation programs kept for reuse by equal recipes (least recently made dropped)."""
_shared: collections.OrderedDict[tuple, GenerationProgram] = collections.OrderedDict()


def make_program(recipe: Recipe) -> GenerationProgram:
    """The generation program of ``recipe`` (a jittable env's).

    Models of equal settings share one program, traced and compiled once: those whose
    strategies compare equal by their settings (NEAT's and HyperNEAT's, any search over
    genomes whose strategy is a frozen dataclass, the seed-chain GA's, and OpenAI-ES's, the
    GA's and evosax's on equal networks with one optimizer object), on one env adapter
    (``make_env`` gives one per id and options), with equal networks, evaluation, devices
    and capacity levels. The seed is not part of a program, so a sweep over seeds compiles
    once. Strategies compared by identity get a program of their own.
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
    params = r.params
    try:
        hash(params)
    except TypeError:  # numbers held in arrays (evosax's Params): compared by value
        params = value_key(params)
    key = (r.strategy, params, r.network, r.env, r.eval_config, r.mesh, r.pop_size)
    key = (*key, r.fast_compile, levels)
    try:
        hash(key)
    except TypeError:
        return None
    return key


__all__ = [
    "AHEAD",
    "Capacity",
    "GenerationProgram",
    "Recipe",
    "make_program",
]
