"""``GA(policy, env, ...)``: the weight-evolution genetic algorithm behind the SB3-style shell."""

from __future__ import annotations

import dataclasses
from typing import Any, final

from evotrain.algorithms.base import BaseEvolver
from evotrain.algorithms.settings import Settings, setting
from evotrain.limits import MAX_POP_SIZE, MAX_POPULATION_ELEMENTS
from evotrain.networks import Network
from evotrain.networks.encoded import EncodedNetwork
from evotrain.strategies import ga, seed_chain
from evotrain.types import positive_int

ENCODINGS = ("float", "seeds")


@dataclasses.dataclass(frozen=True, kw_only=True)
class GASettings(Settings):
    """:class:`GA`'s keywords (see its docs)."""

    pop_size: int = setting(256, size=MAX_POP_SIZE)
    elite_size: int = setting(1, size=MAX_POP_SIZE)
    selection: str | None = setting(None)
    tournament_size: int = setting(3, size=MAX_POP_SIZE)
    truncation_size: int | None = setting(None, size=MAX_POP_SIZE)
    mutation_sigma: float = setting(0.05, positive=True)
    mutation_rate: float = setting(1.0)
    crossover_rate: float | None = setting(None)
    init_sigma: float = setting(0.1, positive=True)
    encoding: str = setting("float")
    max_generations: int = setting(1000, size=MAX_POPULATION_ELEMENTS)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.encoding not in ENCODINGS:
            raise ValueError(
                f"Unknown encoding {self.encoding!r}; choose 'float' (parameters in memory) "
                "or 'seeds' (seed chains, Such et al.'s deep GA)."
            )
        if self.encoding == "seeds" and self.crossover_rate:
            raise ValueError(
                f"crossover_rate={self.crossover_rate} does not work with encoding='seeds': "
                "a seed chain describes a mutation-only lineage. Leave crossover_rate at 0 "
                "or use encoding='float'."
            )
        ga.check_params(self.ga_params())

    @classmethod
    def individual_size(cls, kwargs: dict[str, Any], obs_size: int, num_outputs: int) -> int:
        """A seed chain holds ``max_generations + 1`` seeds; else an MLP's parameters."""
        if kwargs.get("encoding", cls.default("encoding")) == "seeds":
            return kwargs.get("max_generations", cls.default("max_generations")) + 1
        return super().individual_size(kwargs, obs_size, num_outputs)

    def chosen_selection(self) -> str:
        """``selection``, or its default for the encoding."""
        return self.selection or ("truncation" if self.encoding == "seeds" else "tournament")

    def ga_params(self) -> ga.GAParams:
        """The strategy's numbers (``crossover_rate`` defaulted for the encoding)."""
        crossover = self.crossover_rate
        if crossover is None:
            crossover = 0.0 if self.encoding == "seeds" else 0.5
        return ga.GAParams(
            mutation_sigma=float(self.mutation_sigma),
            mutation_rate=float(self.mutation_rate),
            crossover_rate=float(crossover),
            init_sigma=float(self.init_sigma),
        )


@final
class GA(BaseEvolver):
    """Genetic algorithm on an MLP policy's weights.

    Defaults are the blog's GA: tournament selection (``k=3``), uniform crossover,
    Gaussian mutation, one elite. ``selection="truncation", crossover_rate=0`` gives the
    deep-neuroevolution GA of Such et al. ``predict`` acts with the current generation's
    best individual.

    ``encoding="seeds"`` is Such et al.'s compact deep GA: each individual is stored as the
    seed of its initial parameters plus the seeds of its mutations, and its parameters are
    rebuilt inside evaluation (one ``pop_batch_size`` slice at a time). The population then
    costs ``pop_size x max_generations`` integers instead of ``pop_size x num_params`` floats,
    and so do saves. Reproduction is mutation only, and selection defaults to truncation.
    The elites are carried over and evaluated again with every generation.

    Args:
        policy: ``"MlpPolicy"``.
        env: env id or object.
        pop_size: population size.
        elite_size: individuals copied unchanged to the next generation.
        selection: ``"tournament"`` or ``"truncation"`` (default: tournament for
            ``encoding="float"``, truncation for ``"seeds"``).
        tournament_size: ``k``.
        truncation_size: parent pool for truncation selection (default ``pop_size // 5``).
        mutation_sigma: Gaussian mutation scale.
        mutation_rate: per-gene mutation probability.
        crossover_rate: probability that a child is made by uniform crossover (default 0.5
            for floats; must be 0 for seeds).
        init_sigma: spread of the initial population around the MLP initializer's draw.
        encoding: ``"float"`` (parameters held in memory) or ``"seeds"`` (seed chains).
        max_generations: ``encoding="seeds"`` only: the chains' capacity, the generations a
            run can go through in all (``learn`` says when a run would exceed it).
        **kwargs: shell options (see :class:`~evotrain.algorithms.base.BaseEvolver`).
    """

    algorithm_name = "ga"
    display_name = "GA"
    settings_type = GASettings

    @property
    def encoding(self) -> str:
        """``"float"`` or ``"seeds"``."""
        return self.settings.encoding

    @property
    def ga_params(self) -> ga.GAParams:
        """The strategy's numbers."""
        return self.settings.ga_params()

    def _ga_config(self, num_dims: int) -> ga.GAConfig:
        s = self.settings
        return ga.GAConfig(
            pop_size=self.pop_size,
            num_dims=num_dims,
            elite_size=s.elite_size,
            selection=s.chosen_selection(),
            tournament_size=s.tournament_size,
            truncation_size=s.truncation_size,
        )

    def _make_policy(self) -> Network:
        base = super()._make_policy()
        if self.encoding == "float":
            return base
        p = self.ga_params
        decoder = seed_chain.SeedDecoder(
            num_dims=base.num_params,
            mutation_sigma=p.mutation_sigma,
            mutation_rate=p.mutation_rate,
            init_sigma=p.init_sigma,
            initializer=base.init,
        )
        return EncodedNetwork(base, decoder)

    def _make_strategy(self) -> tuple[Any, Any]:
        config = self._ga_config(self.policy.num_params)
        if self.encoding == "seeds":
            chain_config = seed_chain.SeedChainConfig(config, self.settings.max_generations)
            strategy = seed_chain.SeedChainGA(chain_config)
            return strategy, strategy.default_params
        return ga.GAStrategy(config, self.policy.init), self.ga_params

    def learn(self, generations: int, *args: Any, **kwargs: Any) -> GA:
        """See :meth:`BaseEvolver.learn`.

        Raises:
            ValueError: with ``encoding="seeds"``, when the run would go past
                ``max_generations`` generations (the chains' capacity).
        """
        most = self.settings.max_generations
        if self.encoding == "seeds":
            done = int(self.train_state.generation)
            wanted = done + positive_int("generations", generations)
            if wanted > most:
                raise ValueError(
                    f"learn({generations}) would take this seed-chain GA to generation "
                    f"{wanted}, past its max_generations={most} (it has run "
                    f"{done}). Create it with GA(..., encoding='seeds', "
                    f"max_generations={max(wanted, 2 * most)}) to run longer."
                )
        super().learn(generations, *args, **kwargs)
        return self
