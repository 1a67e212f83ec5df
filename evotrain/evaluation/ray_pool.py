"""Host-env evaluation on Ray workers: every core of a machine, every machine of a cluster.

Each worker is a Ray actor with its own envs (a :class:`~evotrain.evaluation.host.HostEvaluator`)
and evaluates one contiguous slice of the population. What a worker receives per
generation depends on the payload:

* ``"seeds"`` (OpenAI-ES's trick): the strategy's state and the generation's key. The
  worker runs the same jitted ``ask`` program as the driver and keeps its slice, so the
  parameters of the population never travel (OpenES, GA, the evosax strategies).
* ``"params"``: the slice of the population itself (NEAT's genomes are small).

Only per-individual fitness, step counts and (with observation normalization) per-lane
observation sums come back. Every individual plays the same episode seeds wherever it
runs, and slices are combined in population order, so results do not depend on the
number of workers or on scheduling.

A worker that dies (its process killed, or its env raising) is replaced and its slice
evaluated again with the same seeds. A slice that fails ``max_retries + 1`` times stops
training with an :class:`~evotrain.evaluation.host.EnvEvaluationError` naming the env and
the individual.
"""

from __future__ import annotations

import dataclasses
import os
import weakref
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from evotrain.evaluation.evaluate import EvalConfig, leading
from evotrain.evaluation.host import EnvEvaluationError, HostEvaluator, episode_base_seed
from evotrain.evaluation.normalization import NormState
from evotrain.evaluation.result import HOST_SLICES, Evaluation, combine
from evotrain.types import PRNGKey, PyTree

PAYLOADS = ("seeds", "params")


@dataclasses.dataclass
class WorkerPieces:
    """What a worker builds from its factory, in its own process.

    Attributes:
        env: the host env adapter.
        network: the policy network.
        eval_config: evaluation settings.
        ask: ``ask(key, strategy_state) -> (population, strategy_state)``, the driver's
            jitted ask program (for the ``"seeds"`` payload).
    """

    env: Any
    network: Any
    eval_config: EvalConfig
    ask: Callable[[PRNGKey, PyTree], PyTree]


class EvalWorker:
    """A Ray actor's body: builds its pieces once, then evaluates slices.

    Args:
        factory: a picklable ``() -> WorkerPieces``.
    """

    def __init__(self, factory: Callable[[], WorkerPieces]) -> None:
        # A worker's JAX calls are tiny policy steps between env steps: run them on this
        # thread (no hand-off to XLA's dispatch thread, ~100 us a call saved on a CPU).
        # Results are the same either way. Set before the worker first uses JAX.
        jax.config.update("jax_cpu_enable_async_dispatch", False)
        pieces = factory()
        self.host = HostEvaluator(pieces.env, pieces.network, pieces.eval_config)
        self.ask = pieces.ask

    def pid(self) -> int:
        return os.getpid()

    def evaluate(self, population: PyTree, base_seed: int, norm: NormState, first: int):
        """Evaluates a population slice sent by the driver."""
        return self.host.evaluate_slice(population, base_seed, norm, first)

    def evaluate_seeds(
        self,
        key: Any,
        strategy_state: PyTree,
        first: int,
        stop: int,
        base_seed: int,
        norm: NormState,
    ) -> Evaluation:
        """Rebuilds individuals ``first:stop`` from the strategy's state and the
        generation's key (raw PRNG key data), then evaluates them."""
        population, _ = self.ask(jax.random.wrap_key_data(key), strategy_state)
        mine = jax.tree_util.tree_map(lambda x: x[first:stop], population)
        return self.host.evaluate_slice(mine, base_seed, norm, first)


def slices(pop_size: int, n: int) -> list[tuple[int, int]]:
    """``n`` contiguous ``(start, stop)`` slices of ``range(pop_size)``, sizes differing by
    at most one (empty slices dropped)."""
    bounds = np.linspace(0, pop_size, n + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def _host(tree: PyTree) -> PyTree:
    """``tree`` as NumPy arrays (raw data for PRNG keys), ready to send."""

    def one(x: Any) -> Any:
        if isinstance(x, jax.Array) and jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
            x = jax.random.key_data(x)
        return np.asarray(x)

    return jax.tree_util.tree_map(one, tree)


def payload_bytes(tree: PyTree) -> int:
    """Bytes of the arrays in ``tree``."""
    return int(sum(np.asarray(x).nbytes for x in jax.tree_util.tree_leaves(_host(tree))))


class RayEvaluator:
    """Evaluates populations on ``n_workers`` Ray actors (see the module docs).

    Ray starts on first use: ``ray.init(address=address)`` when an address is given (or
    ``"auto"``: the running cluster), else a local Ray with ``n_workers`` CPUs, unless
    Ray is already initialized.

    Args:
        factory: a picklable ``() -> WorkerPieces`` run in each worker.
        n_workers: actors to start (None: one per CPU Ray reports).
        address: a Ray cluster address, ``"auto"``, or None.
        max_retries: how often a failed slice is evaluated again on a new worker.
    """

    def __init__(
        self,
        factory: Callable[[], WorkerPieces],
        n_workers: int | None = None,
        address: str | None = None,
        max_retries: int = 2,
    ) -> None:
        self.factory = factory
        self.n_workers = n_workers
        self.address = address
        self.max_retries = int(max_retries)
        self._workers: list[Any] = []
        self._actor: Any = None
        self.sent_bytes = 0
        """Bytes of arrays sent to workers by the last generation."""
        self.replaced = 0
        """Workers replaced after a failure, over this evaluator's life."""

    # ------------------------------------------------------------------ workers
    def start(self) -> None:
        """Starts Ray (if needed) and the workers."""
        if self._workers:
            return
        ray = _import_ray()
        if not ray.is_initialized():
            if self.address is not None:
                ray.init(address=self.address, log_to_driver=False)
            else:
                ray.init(num_cpus=self.n_workers or os.cpu_count(), log_to_driver=False)
        n = self.n_workers or max(1, int(ray.available_resources().get("CPU", 1)))
        self._actor = ray.remote(num_cpus=1, max_restarts=0)(EvalWorker)
        self._workers = [self._new_worker() for _ in range(n)]
        # Workers hold a CPU each: free them when the model goes away without close().
        weakref.finalize(self, _kill_all, self._workers)

    def _new_worker(self) -> Any:
        return self._actor.remote(self.factory)

    @property
    def workers(self) -> list[Any]:
        """The current actor handles (empty before the first evaluation)."""
        return list(self._workers)

    def close(self) -> None:
        """Stops the workers (Ray itself keeps running)."""
        _kill_all(self._workers)
        self._workers.clear()

    # ------------------------------------------------------------------ evaluation
    def __call__(self, key: PRNGKey, population: PyTree, norm: NormState) -> Evaluation:
        """Evaluates ``population``, sending each worker its slice (``"params"``)."""
        self.start()
        base, norm = episode_base_seed(key), _host(norm)
        population = _host(population)
        tasks = []
        for start, stop in slices(leading(population), len(self._workers)):
            part = jax.tree_util.tree_map(lambda x, a=start, b=stop: x[a:b], population)
            tasks.append(("evaluate", (part, base, norm, start)))
        return self._run(tasks)

    def evaluate_seeds(
        self, ask_key: PRNGKey, strategy_state: PyTree, pop_size: int, key: PRNGKey, norm: NormState
    ) -> Evaluation:
        """Evaluates the population that ``ask(ask_key, strategy_state)`` builds, sending
        each worker the state and the key, not parameters (``"seeds"``)."""
        self.start()
        base, norm = episode_base_seed(key), _host(norm)
        raw_key, state = _host(ask_key), _host(strategy_state)
        tasks = [
            ("evaluate_seeds", (raw_key, state, start, stop, base, norm))
            for start, stop in slices(pop_size, len(self._workers))
        ]
        return self._run(tasks)

    def _run(self, tasks: list[tuple[str, tuple[Any, ...]]]) -> Evaluation:
        """Runs one task per worker; failed tasks go again to a new worker."""
        ray = _import_ray()
        self.sent_bytes = sum(payload_bytes(args) for _, args in tasks)
        failures = [0] * len(tasks)
        pending = {self._submit(i, tasks[i]): i for i in range(len(tasks))}
        results: dict[int, Evaluation] = {}
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            i = pending.pop(ready[0])
            try:
                results[i] = ray.get(ready[0])
                continue
            except ray.exceptions.RayTaskError as err:
                if not isinstance(err.cause, EnvEvaluationError):
                    raise  # evotrain's own code failed: retrying would fail the same way
                cause: BaseException = err.cause
            except ray.exceptions.RayActorError as err:
                cause = err
            failures[i] += 1
            if failures[i] > self.max_retries:
                raise _final_error(cause, failures[i]) from cause
            self._replace(i)
            pending[self._submit(i, tasks[i])] = i
        return combine([results[i] for i in range(len(tasks))], HOST_SLICES)

    def _submit(self, i: int, task: tuple[str, tuple[Any, ...]]) -> Any:
        method, args = task
        return getattr(self._workers[i], method).remote(*args)

    def _replace(self, i: int) -> None:
        ray = _import_ray()
        ray.kill(self._workers[i])
        self._workers[i] = self._new_worker()
        self.replaced += 1


def _kill_all(workers: list[Any]) -> None:
    if not workers:
        return
    import ray

    if ray.is_initialized():
        for w in workers:
            ray.kill(w)


def _final_error(cause: BaseException, attempts: int) -> Exception:
    if isinstance(cause, EnvEvaluationError):
        return EnvEvaluationError(
            f"{cause} It failed on all {attempts} attempts, each on a fresh Ray worker.",
            cause.env_id,
            cause.individual,
            cause.seed,
        )
    return RuntimeError(
        f"A Ray worker evaluating a slice of the population died on all {attempts} attempts "
        f"({type(cause).__name__}: {cause})."
    )


def _import_ray() -> Any:
    try:
        import ray
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError(
            "evaluator='ray' needs Ray: pip install 'evotrain[ray]' (or pip install ray)."
        ) from err
    return ray


__all__ = [
    "PAYLOADS",
    "EvalWorker",
    "RayEvaluator",
    "WorkerPieces",
    "payload_bytes",
    "slices",
]
