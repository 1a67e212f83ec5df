"""The acting half of the SB3-style shell: the parameters a model acts with, ``predict``."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from evotrain.envs import Env
from evotrain.evaluation.predict import Predictor
from evotrain.training import TrainState
from evotrain.types import PyTree


class ActingModel:
    """Gives a model ``policy_params``, ``best_ever_params``, ``predict`` and
    ``jitted_rollout``.

    The model has ``train_state``, ``strategy``, ``_predictor``, ``_predict_key`` and
    ``_acting`` (:class:`~evotrain.algorithms.base.BaseEvolver` does).
    """

    train_state: TrainState
    strategy: Any
    _predictor: Predictor
    _predict_key: jax.Array
    _acting: tuple[PyTree, PyTree] | None

    def jitted_rollout(
        self, keys: jax.Array, env: Env | None = None
    ) -> tuple[jax.Array, jax.Array]:
        """Deterministic episodes of the current policy, one per key, in one jitted call.

        Args:
            keys: ``(n,)`` episode keys.
            env: a jittable env adapter with the model's sizes (default: the model's env).

        Returns:
            ``(returns (n,), lengths (n,))`` over the env's own horizon.

        Raises:
            TypeError: for envs that are not jittable rollouts (Gymnasium, function fitting).
        """
        return self._predictor.rollout(self.policy_params, self.train_state.obs_norm, keys, env)

    @property
    def policy_params(self) -> PyTree:
        """The parameters the model acts with: "the model" that :meth:`predict`, saves,
        exports and the zoo use. For distribution-based strategies (OpenES, CMA-ES, ...)
        the distribution's mean; for population-based ones (GA, NEAT, HyperNEAT, ...) the
        fittest individual of the last evaluated generation. :attr:`best_ever_params` is
        the fittest individual of any generation.

        Picked once per strategy state: ``predict`` called step by step reuses it (picking
        an individual out of the population eagerly cost 3/4 of a NEAT ``predict`` call)."""
        state = self.train_state.strategy_state
        picked = self._acting
        if picked is None or picked[0] is not state:
            picked = self._acting = (state, self.strategy.policy_params(state))
        return picked[1]

    @property
    def best_ever_params(self) -> PyTree:
        """The fittest individual evaluated in any generation so far (its fitness is
        ``train_state.best_fitness``); not the one the model acts with (:attr:`policy_params`)."""
        return self.train_state.best_params

    def predict(
        self,
        observation: np.ndarray,
        state: Any = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = True,
    ) -> tuple[np.ndarray, Any]:
        """The policy's action for one observation ``(obs_size,)`` or a batch ``(n, obs_size)``.

        Discrete actions are the argmax of the outputs (``deterministic=False`` samples from
        their softmax); box actions are squashed into the bounds (the same either way). For
        function-fitting problems the network's raw outputs are returned.

        Recurrent policies carry their memory in ``state``, as SB3's recurrent policies do:
        pass the returned state back with the next observation, and ``episode_start``
        (``(n,)`` bool, or a bool for a single observation) to reset the memory of the envs
        whose episode just began. ``state=None`` starts from a fresh memory.

        Returns:
            ``(action, state)``; ``state`` is None for policies without memory.
        """
        self._predict_key, key = jax.random.split(self._predict_key)
        return self._predictor.predict(
            self.policy_params,
            self.train_state.obs_norm,
            observation,
            state,
            episode_start,
            deterministic,
            key,
        )


__all__ = ["ActingModel"]
