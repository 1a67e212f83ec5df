"""Evaluating a population on a host env (Gymnasium): episodes stepped in Python.

:class:`HostEvaluator` plays every individual's episodes on a pool of single envs, one
lane per (individual, episode), and steps only the lanes whose episode is still running;
the batched policy is one jitted call per step. Each lane's return, length and
observation sums depend only on its own parameters and episode seed, and slices of a
population are combined in population order
(:func:`~evotrain.evaluation.result.combine`), so a population split
into slices (``pop_batch_size`` chunks, or Ray workers: :mod:`evotrain.evaluation.ray_pool`)
gives bitwise the same result as one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from evotrain.envs.base import HostEnv
from evotrain.evaluation.act import Actor
from evotrain.evaluation.evaluate import EvalConfig, leading
from evotrain.evaluation.normalization import NormState, ObsBatchStats
from evotrain.evaluation.result import HOST_SLICES, Evaluation, combine
from evotrain.networks.base import Network
from evotrain.types import Array, PRNGKey, PyTree


class EnvEvaluationError(RuntimeError):
    """A host env raised while an individual was being evaluated.

    Attributes:
        env_id: the env's id.
        individual: the individual's index in the population.
        seed: the episode's reset seed.
    """

    def __init__(self, message: str, env_id: str, individual: int, seed: int) -> None:
        super().__init__(message)
        self.env_id = env_id
        self.individual = individual
        self.seed = seed

    def __reduce__(self) -> tuple[Any, ...]:  # keeps its fields across processes (Ray)
        return (type(self), (str(self), self.env_id, self.individual, self.seed))


def episode_base_seed(key: PRNGKey) -> int:
    """The generation's first episode seed (episode ``e`` of every individual uses
    ``base + e``: common random numbers)."""
    return int(jax.random.randint(key, (), 0, 2**30))


class HostEvaluator:
    """Evaluates a population on a host env stepped in Python.

    Every individual plays ``n_episodes`` episodes; episode ``e`` of every individual
    starts from the same seed (common random numbers). The envs are created once and
    reused; an env whose episode ended is not stepped again.

    Args:
        env: the host env adapter.
        network: the policy network.
        config: evaluation settings (``pop_batch_size`` bounds how many envs run at once).
    """

    def __init__(self, env: HostEnv, network: Network, config: EvalConfig) -> None:
        self.descriptor = None if config.descriptor is None else env.descriptor(config.descriptor)
        self.env = env
        self.config = config
        self._envs: list[Any] = []
        actor = Actor(network, env.spec.action)

        def act(plans: PyTree, carry: PyTree, obs: Array, norm: NormState):
            norm = norm if config.obs_normalization else None
            return jax.vmap(actor.step, in_axes=(0, 0, 0, None))(plans, carry, obs, norm)

        self._act = jax.jit(act)
        self._start = jax.jit(jax.vmap(actor.start))

    def _pool(self, n: int) -> list[Any]:
        while len(self._envs) < n:
            self._envs.append(self.env.make_single())
        return self._envs[:n]

    def close(self) -> None:
        for env in self._envs:
            env.close()
        self._envs = []

    def run_episodes(
        self, params: PyTree, seeds: Sequence[int], norm: NormState, first: int = 0
    ) -> tuple[np.ndarray, ...]:
        """Plays one episode per lane; ``params`` has a leading axis of ``len(seeds)``.

        Args:
            params: per-lane parameters.
            seeds: per-lane reset seeds.
            norm: the observation normalizer's state.
            first: the population index of lane 0's individual (for error messages).

        Returns:
            ``(returns (n,), lengths (n,), obs_sum (n, obs_size), obs_sq (n, obs_size),
            descriptors (n, d))``; the sums are None without observation normalization,
            the descriptors without a descriptor (float64: each lane's feature of every
            observation its steps led to, averaged over its steps or its last).

        Raises:
            EnvEvaluationError: the env raised; the message names the env, the individual
                and the episode seed.
        """
        n = len(seeds)
        envs = self._pool(n)
        horizon = self.config.horizon(self.env)
        obs = np.zeros((n, self.env.spec.obs_size), np.float32)
        alive = np.ones(n, bool)
        returns = np.zeros(n, np.float64)
        lengths = np.zeros(n, np.int64)
        collect = self.config.obs_normalization
        obs_sum = np.zeros((n, self.env.spec.obs_size), np.float64) if collect else None
        obs_sq = np.zeros((n, self.env.spec.obs_size), np.float64) if collect else None
        described = None if self.descriptor is None else np.zeros((n, self.descriptor.size))
        lane = 0
        try:
            raw = []
            for lane in range(n):
                raw.append(envs[lane].reset(seed=int(seeds[lane]))[0])
            obs[:] = self.env.flatten_obs(np.stack(raw))
            plans, memory = self._start(params)
            for _ in range(horizon):
                live = np.flatnonzero(alive)
                if collect:
                    seen = obs[live].astype(np.float64)
                    obs_sum[live] += seen
                    obs_sq[live] += np.square(seen)
                actions, memory = self._act(plans, memory, obs, norm)
                actions = np.asarray(actions)
                raw = []
                for lane in live:
                    o, r, terminated, truncated, _ = envs[lane].step(actions[lane])
                    raw.append(o)
                    returns[lane] += float(r)
                    if terminated or truncated:
                        alive[lane] = False
                lengths[live] += 1
                obs[live] = self.env.flatten_obs(np.stack(raw))
                if described is not None:
                    self._describe(described, live, obs)
                if not alive.any():
                    break
        except Exception as err:  # noqa: BLE001 - any env failure is reported the same way
            who = first + int(lane) // self.config.n_episodes
            raise EnvEvaluationError(
                f"The env {self.env.spec.env_id} raised {type(err).__name__}: {err} while "
                f"evaluating individual {who} (episode seed {seeds[lane]}).",
                self.env.spec.env_id,
                who,
                int(seeds[lane]),
            ) from err
        if described is not None and self.descriptor.reduce == "mean":
            described /= np.maximum(lengths, 1)[:, None]
        return returns, lengths, obs_sum, obs_sq, described

    def _describe(self, described: np.ndarray, live: np.ndarray, obs: np.ndarray) -> None:
        """Adds (``"mean"``) or writes (``"last"``) the descriptor's feature of the
        observations ``obs[live]`` the step led to into ``described[live]``."""
        d = self.descriptor
        feature = np.stack(
            [np.asarray(d.feature(o), np.float64).reshape(d.size) for o in obs[live]]
        )
        if d.reduce == "mean":
            described[live] += feature
        else:
            described[live] = feature

    def evaluate_slice(
        self, population: PyTree, base_seed: int, norm: NormState, first: int = 0
    ) -> Evaluation:
        """Evaluates ``population`` (a leading axis of ``b`` individuals) in chunks of
        ``pop_batch_size``; ``first`` is the population index of its first individual.

        Returns:
            The slice's evaluation in NumPy (float64 fitness ``(b,)``; observation sums
            per episode lane, ``(b * n_episodes, ...)``; float32 descriptors ``(b, d)``
            when one is asked for), for :func:`combine` with
            :data:`~evotrain.evaluation.result.HOST_SLICES`."""
        size = leading(population)
        n_ep = self.config.n_episodes
        bs = self.config.pop_batch_size or size
        fitness, steps, longest = [], 0, 0
        sums: list[np.ndarray] = []
        squares: list[np.ndarray] = []
        counts: list[np.ndarray] = []  # float64: summed exactly, as the lanes' sums are
        described: list[np.ndarray] = []
        for start in range(0, size, bs):
            chunk = jax.tree_util.tree_map(lambda x, s=start: x[s : s + bs], population)
            b = leading(chunk)
            params = jax.tree_util.tree_map(lambda x: jnp.repeat(x, n_ep, axis=0), chunk)
            seeds = [base_seed + e for _ in range(b) for e in range(n_ep)]
            returns, lengths, obs_sum, obs_sq, lanes = self.run_episodes(
                params, seeds, norm, first + start
            )
            if lanes is not None:  # an individual's descriptor: the mean of its episodes'
                described.append(lanes.reshape(b, n_ep, -1).mean(axis=1).astype(np.float32))
            fitness.append(np.asarray(self.config.fitness(returns, lengths), np.float64))
            steps += int(lengths.sum())
            longest = max(longest, int(lengths.max()))
            if obs_sum is not None:
                sums.append(obs_sum)
                squares.append(obs_sq)
                counts.append(lengths.astype(np.float64))
        stats = None
        if sums:
            stats = ObsBatchStats(
                count=np.concatenate(counts),
                sum=np.concatenate(sums),
                sumsq=np.concatenate(squares),
            )
        return Evaluation(
            fitness=np.concatenate(fitness),
            env_steps=np.asarray(steps, np.int64),
            episode_length_max=np.asarray(longest, np.int64),
            obs_stats=stats,
            descriptors=np.concatenate(described) if described else None,
        )

    def __call__(self, key: PRNGKey, population: PyTree, norm: NormState) -> Evaluation:
        slice_ = self.evaluate_slice(population, episode_base_seed(key), norm)
        return combine([slice_], HOST_SLICES)


__all__ = [
    "EnvEvaluationError",
    "HostEvaluator",
    "episode_base_seed",
]
