"""Fitness of a whole population: individuals x episodes, in chunks of ``pop_batch_size``.

Jittable problems (gymnax, brax, function fitting) are evaluated by a pure function that
runs inside the training step's jit. Gymnasium envs are evaluated on the host
(:mod:`evotrain.evaluation.host`, or on Ray workers: :mod:`evotrain.evaluation.ray_pool`).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable

import jax
import jax.numpy as jnp

from evotrain.envs.base import Env, JaxEnv
from evotrain.envs.function_fit import FunctionFit
from evotrain.evaluation.act import Actor
from evotrain.evaluation.normalization import NormState
from evotrain.evaluation.result import STACKED, Evaluation, combine
from evotrain.evaluation.rollout import episode_keys, rollout_batch
from evotrain.limits import check_episode_steps
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
        descriptor: the name of a behaviour descriptor the env declares
            (:meth:`~evotrain.envs.base.JaxEnv.descriptors`) to compute for every
            individual (the mean over its episodes); None computes none and costs nothing.
    """

    n_episodes: int = 1
    max_steps: int | None = None
    pop_batch_size: int | None = None
    obs_normalization: bool = False
    reward_shift: float = 0.0
    episode_reduce: str = "mean"
    descriptor: str | None = None

    def __post_init__(self) -> None:
        if self.n_episodes < 1:
            raise ValueError(f"n_episodes must be at least 1, got {self.n_episodes}.")
        if self.max_steps is not None:
            check_episode_steps("max_episode_steps", self.max_steps)
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


Evaluator = Callable[[PRNGKey, PyTree, NormState], Evaluation]


def leading(tree: PyTree) -> int:
    """The size of the leading (population) axis of ``tree``."""
    return int(jax.tree_util.tree_leaves(tree)[0].shape[0])


def _chunked(eval_chunk: Callable[[PyTree], Evaluation], config: EvalConfig) -> Callable:
    def evaluate(population: PyTree) -> Evaluation:
        pop_size = leading(population)
        bs = config.pop_batch_size
        if bs is None or bs >= pop_size:
            return eval_chunk(population)
        chunks = jax.tree_util.tree_map(
            lambda x: x.reshape((pop_size // bs, bs) + x.shape[1:]), population
        )
        return combine(jax.lax.map(eval_chunk, chunks), STACKED)

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
        ``evaluate(key, population, norm) -> Evaluation``; ``population`` has a leading
        ``pop_size`` axis.

    Raises:
        TypeError: for an env evaluated on the host (use :class:`HostEvaluator`).
    """
    raise TypeError(f"{type(env).__name__} is not jittable; use HostEvaluator.")


@make_evaluator.register
def _episode_evaluator(env: JaxEnv, network: Network, config: EvalConfig) -> Evaluator:
    horizon = config.horizon(env)
    n_ep = config.n_episodes
    descriptor = None if config.descriptor is None else env.descriptor(config.descriptor)

    def evaluate(key: PRNGKey, population: PyTree, norm: NormState) -> Evaluation:
        keys = episode_keys(key, n_ep)
        use_norm = norm if config.obs_normalization else None

        def eval_chunk(chunk: PyTree) -> Evaluation:
            b = leading(chunk)
            params = jax.tree_util.tree_map(lambda x: jnp.repeat(x, n_ep, axis=0), chunk)
            res = rollout_batch(
                env,
                network,
                params,
                jnp.tile(keys, b),
                horizon,
                use_norm,
                config.obs_normalization,
                descriptor,
            )
            described = res.descriptors
            if described is not None:  # each individual's mean over its episodes
                described = described.reshape(b, n_ep, -1).mean(axis=1)
            return Evaluation(
                fitness=config.fitness(res.returns, res.lengths),
                env_steps=res.lengths.sum(),
                episode_length_max=res.lengths.max(),
                obs_stats=res.obs_stats,
                descriptors=described,
            )

        return _chunked(eval_chunk, config)(population)

    return evaluate


@make_evaluator.register
def _function_evaluator(env: FunctionFit, network: Network, config: EvalConfig) -> Evaluator:
    descriptor = None if config.descriptor is None else env.descriptor(config.descriptor)
    if config.reward_shift:
        raise ValueError(
            f"reward_shift={config.reward_shift} has no meaning for the function-fitting "
            f"problem {env.spec.env_id} (it has no steps); leave it at 0."
        )
    inputs = jnp.asarray(env.inputs)
    n = inputs.shape[0]

    actor = Actor(network, None)  # raw outputs, unnormalized inputs

    def one(params: PyTree) -> tuple[Array, Array | None]:
        plan, carry = actor.start(params)
        outputs = jax.vmap(lambda x: actor.step(plan, carry, x, None)[0])(inputs)
        described = None if descriptor is None else descriptor.feature(outputs)
        return env.score(outputs), described

    def eval_chunk(chunk: PyTree) -> Evaluation:
        fitness, described = jax.vmap(one)(chunk)
        return Evaluation(
            fitness=fitness,
            env_steps=jnp.asarray(fitness.shape[0] * n, jnp.int32),
            episode_length_max=jnp.ones((), jnp.int32),
            obs_stats=None,
            descriptors=None if described is None else described.astype(jnp.float32),
        )

    def evaluate(key: PRNGKey, population: PyTree, norm: NormState) -> Evaluation:
        del key, norm  # deterministic and unnormalized
        return _chunked(eval_chunk, config)(population)

    return evaluate
