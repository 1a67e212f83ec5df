"""``OpenES(policy, env, ...)``: the OpenAI evolution strategy behind the SB3-style shell."""

from __future__ import annotations

import dataclasses
from typing import final

import optax

from evotrain.algorithms.base import BaseEvolver
from evotrain.algorithms.settings import Settings, optimizer_setting, setting
from evotrain.limits import MAX_POP_SIZE
from evotrain.strategies import open_es
from evotrain.strategies.base import shared


@dataclasses.dataclass(frozen=True, kw_only=True)
class OpenESSettings(Settings):
    """:class:`OpenES`'s keywords (see its docs)."""

    pop_size: int = setting(256, size=MAX_POP_SIZE)
    learning_rate: float = setting(0.03, positive=True)
    optimizer: optax.GradientTransformation | None = optimizer_setting()
    sigma: float = setting(0.1, positive=True)
    sigma_decay: float = setting(1.0)
    sigma_limit: float = setting(0.01)
    weight_decay: float = setting(0.0)
    antithetic: bool = setting(True)
    fitness_shaping: str = setting("centered_rank")
    zero_init: bool = setting(False)

    def __post_init__(self) -> None:
        super().__post_init__()
        open_es.check_params(self.es_params())

    def es_params(self) -> open_es.OpenESParams:
        """The strategy's numbers (``sigma_limit`` at most ``sigma``)."""
        return open_es.OpenESParams(
            sigma_init=float(self.sigma),
            sigma_decay=float(self.sigma_decay),
            sigma_limit=float(min(self.sigma_limit, self.sigma)),
            weight_decay=float(self.weight_decay),
        )


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
    settings_type = OpenESSettings

    def _make_strategy(self) -> tuple[open_es.OpenESStrategy, open_es.OpenESParams]:
        s = self.settings
        config = open_es.OpenESConfig(
            pop_size=self.pop_size,
            num_dims=self.policy.num_params,
            antithetic=s.antithetic,
            fitness_shaping=s.fitness_shaping,
        )
        optimizer = s.optimizer or default_optimizer(s.learning_rate)
        initializer = None if s.zero_init else self.policy.init
        return open_es.OpenESStrategy(config, optimizer, initializer), s.es_params()


def default_optimizer(learning_rate: float) -> optax.GradientTransformation:
    """Adam at ``learning_rate``: one object per rate (optax transforms are pure), so that
    models of equal settings have equal strategies and share their compiled program."""
    return shared(optax.adam, learning_rate)
