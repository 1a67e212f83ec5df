"""``OpenES(policy, env, ...)``: the OpenAI evolution strategy behind the SB3-style shell."""

from __future__ import annotations

import functools
from typing import Any, final

import optax

from evotrain.algorithms.base import BaseEvolver
from evotrain.strategies import open_es


@final
class OpenES(BaseEvolver):
    """OpenAI-ES (Salimans et al. 2017) on an MLP policy.

    ``predict`` acts with the search distribution's mean.

    Args:
        policy: ``"MlpPolicy"``.
        env: env id or object (see :class:`~evotrain.algorithms.base.BaseEvolver`).
        pop_size: population size; even, since sampling is antithetic.
        learning_rate: Adam's learning rate for the mean (ignored when ``optimizer`` is given).
        optimizer: any optax transform to apply the search gradient with.
        sigma: initial perturbation scale.
        sigma_decay: per-generation multiplicative decay of sigma.
        sigma_limit: lower bound of sigma.
        weight_decay: L2 coefficient on the mean.
        antithetic: mirrored sampling.
        fitness_shaping: ``"centered_rank"`` (default), ``"z_score"`` (the blog's
            standardized rewards), ``"raw"`` or ``"nes_utilities"`` (see
            :data:`evotrain.strategies.fitness_shaping.SHAPINGS`).
        zero_init: start the mean at zero (else from the MLP initializer).
        **kwargs: shell options (``n_episodes``, ``max_episode_steps``, ``pop_batch_size``,
            ``obs_normalization``, ``policy_kwargs``, ``env_kwargs``, ``seed``, ``verbose``).
    """

    algorithm_name = "openes"
    display_name = "OpenAI-ES"

    def __init__(
        self,
        policy: str,
        env: Any,
        *,
        pop_size: int = 256,
        learning_rate: float = 0.03,
        optimizer: optax.GradientTransformation | None = None,
        sigma: float = 0.1,
        sigma_decay: float = 1.0,
        sigma_limit: float = 0.01,
        weight_decay: float = 0.0,
        antithetic: bool = True,
        fitness_shaping: str = "centered_rank",
        zero_init: bool = False,
        **kwargs: Any,
    ) -> None:
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {learning_rate}.")
        self.learning_rate = float(learning_rate)
        self.optimizer = optimizer
        self.es_params = open_es.OpenESParams(
            sigma_init=float(sigma),
            sigma_decay=float(sigma_decay),
            sigma_limit=float(min(sigma_limit, sigma)),
            weight_decay=float(weight_decay),
        )
        open_es.check_params(self.es_params)
        self.antithetic = bool(antithetic)
        self.fitness_shaping = str(fitness_shaping)
        self.zero_init = bool(zero_init)
        super().__init__(policy, env, pop_size=pop_size, **kwargs)

    def _make_strategy(self) -> tuple[open_es.OpenESStrategy, open_es.OpenESParams]:
        num_dims = self.policy.num_params
        config = open_es.OpenESConfig(
            pop_size=self.pop_size,
            num_dims=num_dims,
            antithetic=self.antithetic,
            fitness_shaping=self.fitness_shaping,
        )
        optimizer = self.optimizer or default_optimizer(self.learning_rate)
        initializer = None if self.zero_init else self.policy.init
        return open_es.OpenESStrategy(config, optimizer, initializer), self.es_params


@functools.lru_cache(maxsize=32)
def default_optimizer(learning_rate: float) -> optax.GradientTransformation:
    """Adam at ``learning_rate``: one object per rate (optax transforms are pure), so that
    models of equal settings have equal strategies and share their compiled program."""
    return optax.adam(learning_rate)
