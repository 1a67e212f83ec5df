"""Fitness of a whole population: individuals x episodes, in chunks of ``pop_batch_size``.

Jittable problems (gymnax, brax, function fitting) are evaluated by a pure function that
runs inside the training step's jit. Gymnasium envs are evaluated on the host by
:class:`HostEvaluator`, with the batched policy jitted.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct

from evotrain.envs.base import Env, HostEnv, JaxEnv
from evotrain.envs.function_fit import FunctionFit
from evotrain.evaluation.act import Actor
from evotrain.evaluation.normalization import NormState, ObsBatchStats
from evotrain.evaluation.rollout import episode_keys, rollout_batch
from evotrain.networks.base import Network
from evotrain.types import Array, PRNGKey, PyTree

EPISODE_REDUCTIONS: dict[str, Callable[[Array], Array]] = {
    "mean": lambda returns: returns.mean(axis=1),
    "min": lambda returns: returns.min(axis=1),
}
"""``episode_reduce`` names: ``(b, n_episodes)`` shifted returns -> ``(b,)`` fitness."""


@dataclasses.dataclass(frozen=True)
class EvalConfig:
    """How individuals are evaluated (these settings fix compiled shapes).

    Attributes:
        n_episodes: episodes per individual; fitness reduces their returns.
        max_steps: horizon override (None: the env's own).
        pop_batch_size: evaluate this many individuals at a time (None: all at once).
        obs_normalization: normalize observations with running statistics.
        reward_shift: subtracted from every step's reward in the fitness (Mania et al.'s
            ARS shift: the survival bonus, so standing still is not a reward in itself);
            evaluations outside training report the env's own returns.
        episode_reduce: how an individual's ``n_episodes`` returns become its fitness:
            ``"mean"``, or ``"min"`` (its worst episode, which favours policies that
            succeed from every start over ones that succeed on average).
    """

    n_episodes: int = 1
    max_steps: int | None = None
    pop_batch_size: int | None = None
    obs_normalization: bool = False
    reward_shift: float = 0.0
    episode_reduce: str = "mean"

    def __post_init__(self) -> None:
        if self.n_episodes < 1:
            raise ValueError(f"n_episodes must be at least 1, got {self.n_episodes}.")
        if self.max_steps is not None and self.max_steps < 1:
            raise ValueError(f"max_steps must be at least 1, got {self.max_steps}.")
        if self.pop_batch_size is not None and self.pop_batch_size < 1:
            raise ValueError(f"pop_batch_size must be at least 1, got {self.pop_batch_size}.")
        if not math.isfinite(self.reward_shift):
            raise ValueError(f"reward_shift must be a finite number, got {self.reward_shift}.")
        if self.episode_reduce not in EPISODE_REDUCTIONS:
            raise ValueError(
                f"episode_reduce must be one of {', '.join(map(repr, EPISODE_REDUCTIONS))}, "
                f"got {self.episode_reduce!r}."
            )

    def fitness(self, returns: Array, lengths: Array) -> Array:
        """Per-individual fitness ``(b,)`` from episode ``returns`` and ``lengths`` ``(b *
        n_episodes,)``, individual-major: the mean (or worst) shifted return."""
        shifted = (returns - self.reward_shift * lengths).reshape(-1, self.n_episodes)
        return EPISODE_REDUCTIONS[self.episode_reduce](shifted)

    def horizon(self, env: Env) -> int:
        return int(self.max_steps if self.max_steps is not None else env.spec.max_steps)

    def check_pop_size(self, pop_size: int) -> None:
        """Raises if ``pop_batch_size`` does not divide ``pop_size``."""
        bs = self.pop_batch_size
        if bs is not None and bs < pop_size and pop_size % bs:
            divisors = [d for d in range(1, pop_size + 1) if pop_size % d == 0 and d <= bs]
            raise ValueError(
                f"pop_batch_size={bs} does not divide pop_size={pop_size}; use a divisor of "
                f"the population such as {divisors[-1]}."
            )


@struct.dataclass
class EvalResult:
    """What evaluating a population returns.

    Attributes:
        fitness: ``(pop_size,)`` reduced episode returns (may hold non-finite values).
        env_steps: ``()`` int32 env steps actually taken.
        episode_length_max: ``()`` int32 longest episode (loop iterations of the rollout).
        obs_stats: observation sums for the running normalizer (None if off).
    """

    fitness: Array
    env_steps: Array
    episode_length_max: Array
    obs_stats: ObsBatchStats | None


Evaluator = Callable[[PRNGKey, PyTree, NormState], EvalResult]


def _leading(tree: PyTree) -> int:
    return int(jax.tree_util.tree_leaves(tree)[0].shape[0])


def _sum_stats(stats: ObsBatchStats | None) -> ObsBatchStats | None:
    if stats is None:
        return None
    return ObsBatchStats(count=stats.count.sum(0), sum=stats.sum.sum(0), sumsq=stats.sumsq.sum(0))


def _chunked(eval_chunk: Callable[[PyTree], EvalResult], config: EvalConfig) -> Callable:
    def evaluate(population: PyTree) -> EvalResult:
        pop_size = _leading(population)
        bs = config.pop_batch_size
        if bs is None or bs >= pop_size:
            return eval_chunk(population)
        chunks = jax.tree_util.tree_map(
            lambda x: x.reshape((pop_size // bs, bs) + x.shape[1:]), population
        )
        res = jax.lax.map(eval_chunk, chunks)
        return EvalResult(
            fitness=res.fitness.reshape(pop_size),
            env_steps=res.env_steps.sum(),
            episode_length_max=res.episode_length_max.max(),
            obs_stats=_sum_stats(res.obs_stats),
        )

    return evaluate


@functools.singledispatch
def make_evaluator(env: Env, network: Network, config: EvalConfig) -> Evaluator:
    """Builds the pure, jittable population evaluator for a jittable problem.

    Dispatches on the env adapter's type: episodes for a :class:`JaxEnv`, one scoring pass
    for a :class:`FunctionFit`; an env family of its own registers with
    ``@make_evaluator.register``.

    Args:
        env: a jittable env adapter.
        network: the policy network (``prepare`` per individual, ``step`` per env step).
        config: evaluation settings.

    Returns:
        ``evaluate(key, population, norm) -> EvalResult``; ``population`` has a leading
        ``pop_size`` axis.

    Raises:
        TypeError: for an env evaluated on the host (use :class:`HostEvaluator`).
    """
    raise TypeError(f"{type(env).__name__} is not jittable; use HostEvaluator.")


@make_evaluator.register
def _episode_evaluator(env: JaxEnv, network: Network, config: EvalConfig) -> Evaluator:
    horizon = config.horizon(env)
    n_ep = config.n_episodes

    def evaluate(key: PRNGKey, population: PyTree, norm: NormState) -> EvalResult:
        keys = episode_keys(key, n_ep)
        use_norm = norm if config.obs_normalization else None

        def eval_chunk(chunk: PyTree) -> EvalResult:
            b = _leading(chunk)
            params = jax.tree_util.tree_map(lambda x: jnp.repeat(x, n_ep, axis=0), chunk)
            res = rollout_batch(
                env,
                network,
                params,
                jnp.tile(keys, b),
                horizon,
                use_norm,
                config.obs_normalization,
            )
            return EvalResult(
                fitness=config.fitness(res.returns, res.lengths),
                env_steps=res.lengths.sum(),
                episode_length_max=res.lengths.max(),
                obs_stats=res.obs_stats,
            )

        return _chunked(eval_chunk, config)(population)

    return evaluate


@make_evaluator.register
def _function_evaluator(env: FunctionFit, network: Network, config: EvalConfig) -> Evaluator:
    if config.reward_shift:
        raise ValueError(
            f"reward_shift={config.reward_shift} has no meaning for the function-fitting "
            f"problem {env.spec.env_id} (it has no steps); leave it at 0."
        )
    inputs = jnp.asarray(env.inputs)
    n = inputs.shape[0]

    actor = Actor(network, None)  # raw outputs, unnormalized inputs

    def one(params: PyTree) -> Array:
        plan, carry = actor.start(params)
        outputs = jax.vmap(lambda x: actor.step(plan, carry, x, None)[0])(inputs)
        return env.score(outputs)

    def eval_chunk(chunk: PyTree) -> EvalResult:
        fitness = jax.vmap(one)(chunk)
        return EvalResult(
            fitness=fitness,
            env_steps=jnp.asarray(fitness.shape[0] * n, jnp.int32),
            episode_length_max=jnp.ones((), jnp.int32),
            obs_stats=None,
        )

    def evaluate(key: PRNGKey, population: PyTree, norm: NormState) -> EvalResult:
        del key, norm  # deterministic and unnormalized
        return _chunked(eval_chunk, config)(population)

    return evaluate


class HostEvaluator:
    """Evaluates a population on a Gymnasium vector env stepped in Python.

    Every individual plays ``n_episodes`` episodes; episode ``e`` of every individual
    starts from the same seed (common random numbers). The vector env is created once
    and reused. The batched policy is one jitted call per step.

    Args:
        env: the host env adapter.
        network: the policy network.
        config: evaluation settings (``pop_batch_size`` bounds the vector env's size).
    """

    def __init__(self, env: HostEnv, network: Network, config: EvalConfig) -> None:
        self.env = env
        self.config = config
        self._vec = None
        self._vec_size = 0
        actor = Actor(network, env.spec.action)

        def act(plans: PyTree, carry: PyTree, obs: Array, norm: NormState):
            norm = norm if config.obs_normalization else None
            return jax.vmap(actor.step, in_axes=(0, 0, 0, None))(plans, carry, obs, norm)

        self._act = jax.jit(act)
        self._start = jax.jit(jax.vmap(actor.start))

    def _vector(self, n: int):
        if self._vec is None or self._vec_size != n:
            if self._vec is not None:
                self._vec.close()
            self._vec = self.env.make_vector(n)
            self._vec_size = n
        return self._vec

    def close(self) -> None:
        if self._vec is not None:
            self._vec.close()
            self._vec = None

    def run_episodes(
        self, params: PyTree, seeds: list[int], norm: NormState
    ) -> tuple[np.ndarray, np.ndarray, ObsBatchStats | None]:
        """Plays one episode per lane; ``params`` has a leading axis of ``len(seeds)``.

        Returns:
            ``(returns (n,), lengths (n,), obs_stats)``.
        """
        n = len(seeds)
        vec = self._vector(n)
        horizon = self.config.horizon(self.env)
        obs, _ = vec.reset(seed=seeds)
        obs = self.env.flatten_obs(obs)
        alive = np.ones(n, bool)
        returns = np.zeros(n, np.float64)
        lengths = np.zeros(n, np.int64)
        collect = self.config.obs_normalization
        obs_sum = np.zeros(self.env.spec.obs_size, np.float64)
        obs_sq = np.zeros(self.env.spec.obs_size, np.float64)
        plans, memory = self._start(params)
        for _ in range(horizon):
            if collect:
                seen = obs[alive].astype(np.float64)
                obs_sum += seen.sum(0)
                obs_sq += np.square(seen).sum(0)
            actions, memory = self._act(plans, memory, jnp.asarray(obs), norm)
            actions = np.asarray(actions)
            obs, reward, terminated, truncated, _ = vec.step(actions)
            obs = self.env.flatten_obs(obs)
            returns += np.where(alive, np.asarray(reward, np.float64), 0.0)
            lengths += alive
            alive &= ~(np.asarray(terminated) | np.asarray(truncated))
            if not alive.any():
                break
        stats = None
        if collect:
            stats = ObsBatchStats(
                count=jnp.asarray(float(lengths.sum()), jnp.float32),
                sum=jnp.asarray(obs_sum, jnp.float32),
                sumsq=jnp.asarray(obs_sq, jnp.float32),
            )
        return returns, lengths, stats

    def __call__(self, key: PRNGKey, population: PyTree, norm: NormState) -> EvalResult:
        pop_size = _leading(population)
        n_ep = self.config.n_episodes
        base = int(jax.random.randint(key, (), 0, 2**30))
        bs = self.config.pop_batch_size or pop_size
        fitness = np.zeros(pop_size, np.float64)
        steps = 0
        longest = 0
        total: ObsBatchStats | None = None
        for start in range(0, pop_size, bs):
            chunk = jax.tree_util.tree_map(lambda x, s=start: x[s : s + bs], population)
            b = _leading(chunk)
            params = jax.tree_util.tree_map(lambda x: jnp.repeat(x, n_ep, axis=0), chunk)
            seeds = [base + e for _ in range(b) for e in range(n_ep)]
            returns, lengths, stats = self.run_episodes(params, seeds, norm)
            fitness[start : start + b] = self.config.fitness(returns, lengths)
            steps += int(lengths.sum())
            longest = max(longest, int(lengths.max()))
            if stats is not None:
                total = (
                    stats
                    if total is None
                    else ObsBatchStats(
                        count=total.count + stats.count,
                        sum=total.sum + stats.sum,
                        sumsq=total.sumsq + stats.sumsq,
                    )
                )
        return EvalResult(
            fitness=jnp.asarray(fitness, jnp.float32),
            env_steps=jnp.asarray(steps, jnp.int32),
            episode_length_max=jnp.asarray(longest, jnp.int32),
            obs_stats=total,
        )
