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

from typing import Any, ClassVar, final

import optax

from evotrain.algorithms.base import BaseEvolver
from evotrain.logging.metrics import algorithm_metric
from evotrain.strategies.evosax import EvosaxStrategy
from evotrain.types import positive_float


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

    def __init__(
        self, policy: str, env: Any, *, pop_size: int, zero_init: bool = False, **kwargs: Any
    ) -> None:
        self.zero_init = bool(zero_init)
        super().__init__(policy, env, pop_size=pop_size, **kwargs)

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
            initializer=None if self.zero_init else self.policy.init,
            **self._strategy_kwargs(),
        )
        return strategy, strategy.default_params


class _CMAFamily(EvosaxFamily):
    """CMA-ES variants: a global step size ``sigma_init`` kept in ``[std_min, std_max]``."""

    def _set_step_size(self, sigma_init: float, std_min: float, std_max: float) -> None:
        self.sigma_init = positive_float("sigma_init", sigma_init)
        self.std_min, self.std_max = float(std_min), float(std_max)
        if not 0 <= self.std_min <= self.std_max:
            raise ValueError(f"Need 0 <= std_min <= std_max, got {std_min} and {std_max}.")

    def _strategy_kwargs(self) -> dict[str, Any]:
        return {"std_init": self.sigma_init, "std_min": self.std_min, "std_max": self.std_max}


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

    def __init__(
        self,
        policy: str,
        env: Any,
        *,
        pop_size: int = 64,
        sigma_init: float = 1.0,
        std_min: float = 0.0,
        std_max: float = 1e8,
        zero_init: bool = False,
        **kwargs: Any,
    ) -> None:
        self._set_step_size(sigma_init, std_min, std_max)
        super().__init__(policy, env, pop_size=pop_size, zero_init=zero_init, **kwargs)


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

    def __init__(
        self,
        policy: str,
        env: Any,
        *,
        pop_size: int = 256,
        sigma_init: float = 1.0,
        std_min: float = 0.0,
        std_max: float = 1e8,
        zero_init: bool = False,
        **kwargs: Any,
    ) -> None:
        self._set_step_size(sigma_init, std_min, std_max)
        super().__init__(policy, env, pop_size=pop_size, zero_init=zero_init, **kwargs)


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

    def __init__(
        self,
        policy: str,
        env: Any,
        *,
        pop_size: int = 256,
        sigma_init: float = 1.0,
        learning_rate: float = 1.0,
        lr_std: float | None = None,
        optimizer: optax.GradientTransformation | None = None,
        zero_init: bool = False,
        **kwargs: Any,
    ) -> None:
        self.sigma_init = positive_float("sigma_init", sigma_init)
        self.learning_rate = positive_float("learning_rate", learning_rate)
        self.lr_std = None if lr_std is None else positive_float("lr_std", lr_std)
        self.optimizer = optimizer
        super().__init__(policy, env, pop_size=pop_size, zero_init=zero_init, **kwargs)

    def _strategy_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "std_init": self.sigma_init,
            "optimizer": self.optimizer or optax.sgd(self.learning_rate),
        }
        if self.lr_std is not None:
            kwargs["lr_std_init"] = self.lr_std
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

    def __init__(
        self,
        policy: str,
        env: Any,
        *,
        pop_size: int = 64,
        sigma_init: float = 1.0,
        learning_rate: float = 1.0,
        lr_std: float | None = None,
        lr_B: float | None = None,  # noqa: N803 - evosax's name
        optimizer: optax.GradientTransformation | None = None,
        zero_init: bool = False,
        **kwargs: Any,
    ) -> None:
        self.sigma_init = positive_float("sigma_init", sigma_init)
        self.learning_rate = positive_float("learning_rate", learning_rate)
        self.lr_std = None if lr_std is None else positive_float("lr_std", lr_std)
        self.lr_B = None if lr_B is None else positive_float("lr_B", lr_B)
        self.optimizer = optimizer
        super().__init__(policy, env, pop_size=pop_size, zero_init=zero_init, **kwargs)

    def _strategy_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "std_init": self.sigma_init,
            "optimizer": self.optimizer or optax.sgd(self.learning_rate),
        }
        if self.lr_std is not None:
            kwargs["lr_std_init"] = self.lr_std
        if self.lr_B is not None:
            kwargs["lr_B"] = self.lr_B
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

    def __init__(
        self,
        policy: str,
        env: Any,
        *,
        pop_size: int = 256,
        sigma_init: float = 0.1,
        learning_rate: float = 0.15,
        max_velocity: float = 0.3,
        std_lr: float = 0.1,
        std_max_change: float = 0.2,
        optimizer: optax.GradientTransformation | None = None,
        zero_init: bool = False,
        **kwargs: Any,
    ) -> None:
        self.sigma_init = positive_float("sigma_init", sigma_init)
        self.learning_rate = positive_float("learning_rate", learning_rate)
        self.max_velocity = positive_float("max_velocity", max_velocity)
        self.std_lr = float(std_lr)
        self.std_max_change = float(std_max_change)
        if self.std_lr < 0 or self.std_max_change < 0:
            raise ValueError("std_lr and std_max_change must be non-negative.")
        self.optimizer = optimizer
        super().__init__(policy, env, pop_size=pop_size, zero_init=zero_init, **kwargs)

    def _strategy_kwargs(self) -> dict[str, Any]:
        from evosax.core.optimizer import clipup

        optimizer = self.optimizer or clipup(self.learning_rate, self.max_velocity)
        return {
            "std_init": self.sigma_init,
            "std_lr": self.std_lr,
            "std_max_change": self.std_max_change,
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

    def __init__(
        self,
        policy: str,
        env: Any,
        *,
        pop_size: int = 256,
        sigma_init: float = 0.1,
        learning_rate: float = 0.05,
        optimizer: optax.GradientTransformation | None = None,
        zero_init: bool = False,
        **kwargs: Any,
    ) -> None:
        self.sigma_init = positive_float("sigma_init", sigma_init)
        self.learning_rate = positive_float("learning_rate", learning_rate)
        self.optimizer = optimizer
        super().__init__(policy, env, pop_size=pop_size, zero_init=zero_init, **kwargs)

    def _strategy_kwargs(self) -> dict[str, Any]:
        return {
            "std_init": self.sigma_init,
            "std_schedule": optax.constant_schedule(self.sigma_init),
            "optimizer": self.optimizer or optax.adam(self.learning_rate),
        }


__all__ = ["ARS", "CMAES", "PGPE", "SNES", "XNES", "EvosaxFamily", "SepCMAES"]
