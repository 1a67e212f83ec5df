"""``EvoSax(policy, env, strategy_name=...)``: any supported evosax strategy by name behind
the SB3-style shell (the named ones, ``CMAES``, ``SNES``, ..., are in
:mod:`evotrain.algorithms.evosax_family`).

``predict`` acts with the search distribution's mean, or for a population-based strategy
such as ``"SimpleGA"`` or ``"PSO"``, the current population's best member.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, ClassVar, final

from evotrain.algorithms.evosax_family import EvosaxFamily, EvosaxSettings
from evotrain.algorithms.settings import setting
from evotrain.limits import MAX_POP_SIZE
from evotrain.strategies.evosax import EvosaxStrategy

DEFAULT_STRATEGY = "CMA_ES"


@dataclasses.dataclass(frozen=True, kw_only=True)
class EvoSaxSettings(EvosaxSettings):
    """:class:`EvoSax`'s keywords: the strategy's name, the shell's, and (in
    ``strategy_options``) every other keyword, for the strategy."""

    strategy_name: str = setting(DEFAULT_STRATEGY)
    pop_size: int = setting(64, size=MAX_POP_SIZE)
    init_sigma: float = setting(0.1, positive=True)
    strategy_options: dict[str, Any] = dataclasses.field(default_factory=dict)

    rest: ClassVar[str | None] = "strategy_options"
    positive_rest: ClassVar[frozenset[str]] = frozenset(
        {"std_init", "lr_std_init", "std_lr", "lr_B", "std_max_change", "max_velocity"}
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        from evotrain.strategies.evosax_catalog import resolve_name

        resolve_name(self.strategy_name)  # fail before the env is made


@final
class EvoSax(EvosaxFamily):
    """Any supported evosax 0.3.2 strategy by name (see
    :func:`evotrain.strategies.evosax_catalog.supported_names`).

    ``EvoSax("MlpPolicy", env, strategy_name="SimpleGA", pop_size=64, crossover_rate=0.5)``,
    or in evosax's order, ``EvoSax("SimpleGA", "MlpPolicy", env, ...)``. Either way the
    name is saved as the ``strategy_name`` keyword, and ``evotrain train --algo evosax -p
    strategy_name=PSO`` picks it on the command line.

    Args:
        policy: ``"MlpPolicy"`` (or, in evosax's order, the strategy's name).
        env: env id or object (or, in evosax's order, the policy).
        *evosax_order: in evosax's order, the env.
        strategy_name: evosax's name (``"SimpleGA"``, ``"PSO"``, ``"DES"``, ...; case,
            ``_`` and ``-`` do not matter).
        pop_size: population size.
        zero_init: start a distribution's mean (a population's members) at zero, else from
            the MLP initializer's draws.
        init_sigma: population-based strategies: Gaussian noise added to each member of the
            initial population.
        **kwargs: shell options (``n_episodes``, ``seed``, ...; see
            :class:`~evotrain.algorithms.base.BaseEvolver`) and, every other keyword, the
            strategy's: its evosax constructor keywords (``optimizer``, ``std_schedule``,
            ...) and ``Params`` fields (``std_init``, ``crossover_rate``, ...). Keywords that
            are not JSON (an optax ``optimizer``, a schedule) must be passed again to
            ``load``.

    Raises:
        ValueError: an unknown or unsupported strategy name (with the closest names or
            the reason), a population size it cannot use.
        TypeError: a keyword neither the shell nor the strategy takes (lists them).
    """

    algorithm_name = "evosax"
    display_name = "evosax"
    columns = ()
    settings_type = EvoSaxSettings
    DEFAULT_STRATEGY: ClassVar[str] = DEFAULT_STRATEGY

    @classmethod
    def _signature(cls) -> inspect.Signature:
        order = inspect.Parameter("evosax_order", inspect.Parameter.VAR_POSITIONAL)
        return cls.settings_type.signature([order])

    def __init__(self, policy: str, env: Any, *evosax_order: Any, **kwargs: Any) -> None:
        if evosax_order:
            if len(evosax_order) > 1:
                raise TypeError(
                    f"EvoSax takes (policy, env) or (strategy_name, policy, env) positionally; "
                    f"got {len(evosax_order) + 2} positional arguments."
                )
            if "strategy_name" in kwargs:
                raise TypeError(
                    f"EvoSax got the strategy twice: {policy!r} first and "
                    f"strategy_name={kwargs['strategy_name']!r}; pass one of them."
                )
            kwargs["strategy_name"] = policy
            policy, env = env, evosax_order[0]
        super().__init__(policy, env, **kwargs)

    @property
    def evosax_name(self) -> str:
        """evosax's name of the strategy, as given."""
        return self.settings.strategy_name

    def _strategy_name(self) -> str:
        return self.settings.strategy_name

    def _strategy_kwargs(self) -> dict[str, Any]:
        return {"init_sigma": self.settings.init_sigma, **self.settings.strategy_options}

    def _make_strategy(self) -> tuple[EvosaxStrategy, Any]:
        try:
            return super()._make_strategy()
        except TypeError as err:
            shell = ", ".join(n for n in self.settings_type.names() if n != "strategy_options")
            raise TypeError(f"{err} EvoSax itself takes {shell}.") from err


__all__ = ["EvoSax", "EvoSaxSettings"]
