"""evosax's strategies behind the SB3-style shell: ``CMAES``, ``SepCMAES``, ``SNES``,
``XNES``, ``PGPE``, ``ARS`` (and, for the rest,
:class:`~evotrain.algorithms.evosax_any.EvoSax` on this module's :class:`EvosaxFamily`).

Every class evolves an MLP policy's flat parameter vector with one
:class:`~evotrain.strategies.evosax.EvosaxStrategy`, so everything the shell offers
(obs normalization, episodes, callbacks, ``save``/``load``, ``evotrain train --algo``)
works as for :class:`~evotrain.algorithms.es.OpenES`. Defaults are evosax 0.3.2's own
(``sigma_init=1.0``, its learning rates and optimizers), except ``pop_size``, which evosax
leaves to the caller, and PGPE's and ARS's step sizes, set for neural policies.

``predict`` acts with the search distribution's mean.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, final

import optax

from evotrain.algorithms.base import BaseEvolver
from evotrain.algorithms.settings import Settings, optimizer_setting, setting
from evotrain.limits import MAX_POP_SIZE
from evotrain.logging.metrics import algorithm_metric
from evotrain.strategies.base import shared
from evotrain.strategies.evosax import EvosaxStrategy


@dataclasses.dataclass(frozen=True, kw_only=True)
class EvosaxSettings(Settings):
    """The keywords of every evosax-backed shell (see :class:`EvosaxFamily`)."""

    zero_init: bool = setting(False)


@dataclasses.dataclass(frozen=True, kw_only=True)
class CMASettings(EvosaxSettings):
    """:class:`CMAES`'s and :class:`SepCMAES`'s keywords."""

    sigma_init: float = setting(1.0, positive=True)
    std_min: float = setting(0.0)
    std_max: float = setting(1e8)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0 <= self.std_min <= self.std_max:
            raise ValueError(
                f"Need 0 <= std_min <= std_max, got {self.std_min} and {self.std_max}."
            )


@dataclasses.dataclass(frozen=True, kw_only=True)
class CMAESSettings(CMASettings):
    """:class:`CMAES`'s keywords."""

    pop_size: int = setting(64, size=MAX_POP_SIZE)


@dataclasses.dataclass(frozen=True, kw_only=True)
class NESSettings(EvosaxSettings):
    """:class:`SNES`'s keywords (:class:`XNES` adds ``lr_B``)."""

    sigma_init: float = setting(1.0, positive=True)
    learning_rate: float = setting(1.0, positive=True)
    lr_std: float | None = setting(None, positive=True)
    optimizer: optax.GradientTransformation | None = optimizer_setting()


@dataclasses.dataclass(frozen=True, kw_only=True)
class XNESSettings(NESSettings):
    """:class:`XNES`'s keywords."""

    pop_size: int = setting(64, size=MAX_POP_SIZE)
    lr_B: float | None = setting(None, positive=True)  # noqa: N815 - evosax's name


@dataclasses.dataclass(frozen=True, kw_only=True)
class PGPESettings(EvosaxSettings):
    """:class:`PGPE`'s keywords."""

    sigma_init: float = setting(0.1, positive=True)
    learning_rate: float = setting(0.15, positive=True)
    max_velocity: float = setting(0.3, positive=True)
    std_lr: float = setting(0.1, positive=True)
    std_max_change: float = setting(0.2, positive=True)
    optimizer: optax.GradientTransformation | None = optimizer_setting()


@dataclasses.dataclass(frozen=True, kw_only=True)
class ARSSettings(EvosaxSettings):
    """:class:`ARS`'s keywords."""

    sigma_init: float = setting(0.1, positive=True)
    learning_rate: float = setting(0.05, positive=True)
    optimizer: optax.GradientTransformation | None = optimizer_setting()


class EvosaxFamily(BaseEvolver):
    """Common shell of the evosax-backed algorithms (see the module docs).

    A subclass names its evosax strategy (:attr:`strategy_name`) and returns its keywords
    from :meth:`_strategy_kwargs`.

    Args:
        policy: ``"MlpPolicy"``.
        env: env id or object (see :class:`~evotrain.algorithms.base.BaseEvolver`).
        pop_size: population size.
        zero_init: start the search distribution's mean at zero (else from the MLP
            initializer's draw, as :class:`~evotrain.algorithms.es.OpenES` does).
        **kwargs: shell options (``n_episodes``, ``max_episode_steps``, ``pop_batch_size``,
            ``obs_normalization``, ``policy_kwargs``, ``env_kwargs``, ``seed``, ``verbose``).
    """

    strategy_name: ClassVar[str]
    """evosax's name of the strategy (``"CMA_ES"``)."""
    columns = (algorithm_metric("sigma", "sigma"),)
    settings_type: ClassVar[type[Settings]] = EvosaxSettings

    def _strategy_name(self) -> str:
        return self.strategy_name

    def _strategy_kwargs(self) -> dict[str, Any]:
        """The evosax constructor keywords and ``Params`` fields for the strategy."""
        return {}

    def _make_strategy(self) -> tuple[EvosaxStrategy, Any]:
        strategy = EvosaxStrategy(
            self._strategy_name(),
            self.policy.num_params,
            self.pop_size,
            initializer=None if self.settings.zero_init else self.policy.init,
            **self._strategy_kwargs(),
        )
        return strategy, strategy.default_params


class _CMAFamily(EvosaxFamily):
    """CMA-ES variants: a global step size ``sigma_init`` kept in ``[std_min, std_max]``."""

    def _strategy_kwargs(self) -> dict[str, Any]:
        s = self.settings
        return {"std_init": s.sigma_init, "std_min": s.std_min, "std_max": s.std_max}


@final
class CMAES(_CMAFamily):
    """CMA-ES (Hansen & Ostermeier 2001; evosax's ``CMA_ES``): a full-covariance Gaussian
    search distribution adapted from the ranked better half of each generation.

    Its covariance is ``(num_params, num_params)`` with an eigendecomposition every
    generation: meant for policies of up to a few thousand parameters.

    Args:
        policy: ``"MlpPolicy"``.
        env: env id or object.
        pop_size: population size (CMA-ES's own default would be ``4 + 3 ln(num_params)``).
        sigma_init: initial step size.
        std_min: lower bound of the step size.
        std_max: upper bound of the step size.
        zero_init: start the mean at zero (else from the MLP initializer).
        **kwargs: shell options (see :class:`EvosaxFamily`).
    """

    algorithm_name = "cmaes"
    display_name = "CMA-ES"
    strategy_name = "CMA_ES"
    settings_type = CMAESSettings


@final
class SepCMAES(_CMAFamily):
    """Separable CMA-ES (Ros & Hansen 2008; evosax's ``Sep_CMA_ES``): CMA-ES with a
    diagonal covariance, linear in the number of parameters.

    Args:
        policy: ``"MlpPolicy"``.
        env: env id or object.
        pop_size: population size.
        sigma_init: initial step size.
        std_min: lower bound of the step size.
        std_max: upper bound of the step size.
        zero_init: start the mean at zero (else from the MLP initializer).
        **kwargs: shell options (see :class:`EvosaxFamily`).
    """

    algorithm_name = "sepcmaes"
    display_name = "Sep-CMA-ES"
    strategy_name = "Sep_CMA_ES"
    settings_type = CMASettings


@final
class SNES(EvosaxFamily):
    """Separable natural evolution strategy (Schaul et al. 2011; evosax's ``SNES``).

    Args:
        policy: ``"MlpPolicy"``.
        env: env id or object.
        pop_size: population size.
        sigma_init: initial per-parameter standard deviation.
        learning_rate: SGD learning rate of the mean (ignored when ``optimizer`` is given).
        lr_std: learning rate of the standard deviations (default: evosax's
            ``(3 + ln d) / (5 sqrt d)`` for ``d`` parameters).
        optimizer: any optax transform for the mean's natural gradient.
        zero_init: start the mean at zero (else from the MLP initializer).
        **kwargs: shell options (see :class:`EvosaxFamily`).
    """

    algorithm_name = "snes"
    display_name = "SNES"
    strategy_name = "SNES"
    settings_type = NESSettings

    def _strategy_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "std_init": self.settings.sigma_init,
            "optimizer": self.settings.optimizer or shared(optax.sgd, self.settings.learning_rate),
        }
        if self.settings.lr_std is not None:
            kwargs["lr_std_init"] = self.settings.lr_std
        return kwargs


@final
class XNES(EvosaxFamily):
    """Exponential natural evolution strategy (Glasmachers et al. 2010; evosax's
    ``xNES``): a full-covariance Gaussian updated along the natural gradient.

    Its covariance factor is ``(num_params, num_params)``: meant for small policies.

    Args:
        policy: ``"MlpPolicy"``.
        env: env id or object.
        pop_size: population size.
        sigma_init: initial step size.
        learning_rate: SGD learning rate of the mean (ignored when ``optimizer`` is given).
        lr_std: learning rate of the step size (default: evosax's
            ``(9 + 3 ln d) / (5 d sqrt d)``).
        lr_B: learning rate of the covariance factor (default: evosax's, as ``lr_std``).
        optimizer: any optax transform for the mean's natural gradient.
        zero_init: start the mean at zero (else from the MLP initializer).
        **kwargs: shell options (see :class:`EvosaxFamily`).
    """

    algorithm_name = "xnes"
    display_name = "xNES"
    strategy_name = "xNES"
    settings_type = XNESSettings

    def _strategy_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "std_init": self.settings.sigma_init,
            "optimizer": self.settings.optimizer or shared(optax.sgd, self.settings.learning_rate),
        }
        if self.settings.lr_std is not None:
            kwargs["lr_std_init"] = self.settings.lr_std
        if self.settings.lr_B is not None:
            kwargs["lr_B"] = self.settings.lr_B
        return kwargs


@final
class PGPE(EvosaxFamily):
    """Policy gradients with parameter-based exploration (Sehnke et al. 2010; evosax's
    ``PGPE``): antithetic sampling, centered ranks, per-parameter standard deviations and
    ClipUp (Toklu et al. 2020) for the mean. The defaults are for neural policies
    (evosax's own, ``std_init=1`` and ClipUp ``0.01/0.02``, are for unit-scale problems and
    left CartPole at 60-160 after 50 generations).

    Args:
        policy: ``"MlpPolicy"``.
        env: env id or object.
        pop_size: population size; even (antithetic sampling).
        sigma_init: initial per-parameter standard deviation.
        learning_rate: ClipUp's step size (ignored when ``optimizer`` is given).
        max_velocity: ClipUp's velocity bound (ignored when ``optimizer`` is given).
        std_lr: learning rate of the standard deviations.
        std_max_change: most a standard deviation may change per generation (relative).
        optimizer: any optax transform for the mean.
        zero_init: start the mean at zero (else from the MLP initializer).
        **kwargs: shell options (see :class:`EvosaxFamily`).
    """

    algorithm_name = "pgpe"
    display_name = "PGPE"
    strategy_name = "PGPE"
    settings_type = PGPESettings

    def _strategy_kwargs(self) -> dict[str, Any]:
        from evosax.core.optimizer import clipup

        optimizer = self.settings.optimizer or shared(
            clipup, self.settings.learning_rate, self.settings.max_velocity
        )
        return {
            "std_init": self.settings.sigma_init,
            "std_lr": self.settings.std_lr,
            "std_max_change": self.settings.std_max_change,
            "optimizer": optimizer,
        }


@final
class ARS(EvosaxFamily):
    """Augmented random search (Mania et al. 2018; evosax's ``ARS``): antithetic
    perturbations of a fixed scale, the best half of the directions, the step divided by
    their fitness spread. (evotrain's ``reward_shift`` shell option is ARS's shift.) The
    defaults are for neural policies (evosax's ``std_init=1`` with Adam ``1e-3`` did not
    leave CartPole's starting score in 50 generations).

    Args:
        policy: ``"MlpPolicy"``.
        env: env id or object.
        pop_size: population size; even (antithetic sampling).
        sigma_init: the perturbation scale (constant; evosax's ``std_schedule``).
        learning_rate: Adam's learning rate (ignored when ``optimizer`` is given).
        optimizer: any optax transform for the mean.
        zero_init: start the mean at zero (else from the MLP initializer).
        **kwargs: shell options (see :class:`EvosaxFamily`).
    """

    algorithm_name = "ars"
    display_name = "ARS"
    strategy_name = "ARS"
    settings_type = ARSSettings

    def _strategy_kwargs(self) -> dict[str, Any]:
        return {
            "std_init": self.settings.sigma_init,
            "std_schedule": shared(optax.constant_schedule, self.settings.sigma_init),
            "optimizer": self.settings.optimizer or shared(optax.adam, self.settings.learning_rate),
        }


__all__ = [
    "ARS",
    "CMAES",
    "PGPE",
    "SNES",
    "XNES",
    "EvosaxFamily",
    "EvosaxSettings",
    "SepCMAES",
]
