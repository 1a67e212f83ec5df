"""``EvoSax(policy, env, strategy_name=...)``: any supported evosax strategy by name behind
the SB3-style shell (the named ones, ``CMAES``, ``SNES``, ..., are in
:mod:`evotrain.algorithms.evosax_family`).

``predict`` acts with the search distribution's mean, or for a population-based strategy
such as ``"SimpleGA"`` or ``"PSO"``, the current population's best member.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar, final

from evotrain.algorithms.base import BaseEvolver
from evotrain.algorithms.evosax_family import EvosaxFamily
from evotrain.strategies.evosax import EvosaxStrategy

SHELL_KEYWORDS: frozenset[str] = frozenset(
    name
    for name in inspect.signature(BaseEvolver.__init__).parameters
    if name not in ("self", "policy", "env", "pop_size")
)
"""The keywords :class:`EvoSax` gives to the shell; every other goes to the strategy."""


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
    DEFAULT_STRATEGY: ClassVar[str] = "CMA_ES"

    def __new__(cls, *args: Any, **kwargs: Any) -> EvoSax:
        self = super().__new__(cls, *args, **kwargs)
        args, kwargs = self._init_args
        if len(args) == 3:  # evosax's order, EvoSax("CMA_ES", "MlpPolicy", env): as keywords
            if "strategy_name" in kwargs:
                raise TypeError(
                    f"EvoSax got the strategy twice: {args[0]!r} first and "
                    f"strategy_name={kwargs['strategy_name']!r}; pass one of them."
                )
            self._init_args = (args[1:], {**kwargs, "strategy_name": args[0]})
        # Saved models record the constructor's keywords as given: record the strategy
        # even when the default was used, so a later default cannot change what loads.
        self._init_args[1].setdefault("strategy_name", cls.DEFAULT_STRATEGY)
        return self

    def __init__(
        self,
        policy: str,
        env: Any,
        *evosax_order: Any,
        strategy_name: str = DEFAULT_STRATEGY,
        pop_size: int = 64,
        zero_init: bool = False,
        init_sigma: float = 0.1,
        **kwargs: Any,
    ) -> None:
        from evotrain.strategies.evosax_catalog import resolve_name

        if evosax_order:
            if len(evosax_order) > 1:
                raise TypeError(
                    f"EvoSax takes (policy, env) or (strategy_name, policy, env) positionally; "
                    f"got {len(evosax_order) + 2} positional arguments."
                )
            strategy_name, policy, env = policy, env, evosax_order[0]
        resolve_name(strategy_name)  # fail before the env is made
        self.evosax_name = str(strategy_name)
        self.init_sigma = float(init_sigma)
        self.strategy_kwargs = {k: v for k, v in kwargs.items() if k not in SHELL_KEYWORDS}
        shell = {k: v for k, v in kwargs.items() if k in SHELL_KEYWORDS}
        super().__init__(policy, env, pop_size=pop_size, zero_init=zero_init, **shell)

    def _strategy_name(self) -> str:
        return self.evosax_name

    def _strategy_kwargs(self) -> dict[str, Any]:
        return {"init_sigma": self.init_sigma, **self.strategy_kwargs}

    def _make_strategy(self) -> tuple[EvosaxStrategy, Any]:
        try:
            return super()._make_strategy()
        except TypeError as err:
            shell = ", ".join(sorted({"pop_size", "zero_init", *SHELL_KEYWORDS}))
            raise TypeError(f"{err} EvoSax itself takes {shell}.") from err


__all__ = ["SHELL_KEYWORDS", "EvoSax"]
