"""``GA(policy, env, ...)``: the weight-evolution genetic algorithm behind the SB3-style shell."""

from __future__ import annotations

from typing import Any, final

from evotrain.algorithms.base import BaseEvolver
from evotrain.networks import Network
from evotrain.networks.encoded import EncodedNetwork
from evotrain.strategies import ga, seed_chain
from evotrain.types import positive_int

ENCODINGS = ("float", "seeds")


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

    def __init__(
        self,
        policy: str,
        env: Any,
        *,
        pop_size: int = 256,
        elite_size: int = 1,
        selection: str | None = None,
        tournament_size: int = 3,
        truncation_size: int | None = None,
        mutation_sigma: float = 0.05,
        mutation_rate: float = 1.0,
        crossover_rate: float | None = None,
        init_sigma: float = 0.1,
        encoding: str = "float",
        max_generations: int = 1000,
        **kwargs: Any,
    ) -> None:
        if encoding not in ENCODINGS:
            raise ValueError(
                f"Unknown encoding {encoding!r}; choose 'float' (parameters in memory) or "
                "'seeds' (seed chains, Such et al.'s deep GA)."
            )
        seeds = encoding == "seeds"
        if seeds and crossover_rate:
            raise ValueError(
                f"crossover_rate={crossover_rate} does not work with encoding='seeds': a seed "
                "chain describes a mutation-only lineage. Leave crossover_rate at 0 or use "
                "encoding='float'."
            )
        self.encoding = encoding
        self.max_generations = positive_int("max_generations", max_generations)
        self.elite_size = int(elite_size)
        self.selection = selection or ("truncation" if seeds else "tournament")
        self.tournament_size = int(tournament_size)
        self.truncation_size = truncation_size
        if crossover_rate is None:
            crossover_rate = 0.0 if seeds else 0.5
        self.ga_params = ga.GAParams(
            mutation_sigma=float(mutation_sigma),
            mutation_rate=float(mutation_rate),
            crossover_rate=float(crossover_rate),
            init_sigma=float(init_sigma),
        )
        ga.check_params(self.ga_params)
        super().__init__(policy, env, pop_size=pop_size, **kwargs)

    def _ga_config(self, num_dims: int) -> ga.GAConfig:
        return ga.GAConfig(
            pop_size=self.pop_size,
            num_dims=num_dims,
            elite_size=self.elite_size,
            selection=self.selection,
            tournament_size=self.tournament_size,
            truncation_size=self.truncation_size,
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
            chain_config = seed_chain.SeedChainConfig(config, self.max_generations)
            strategy = seed_chain.SeedChainGA(chain_config)
            return strategy, strategy.default_params
        return ga.GAStrategy(config, self.policy.init), self.ga_params

    def learn(self, generations: int, *args: Any, **kwargs: Any) -> GA:
        """See :meth:`BaseEvolver.learn`.

        Raises:
            ValueError: with ``encoding="seeds"``, when the run would go past
                ``max_generations`` generations (the chains' capacity).
        """
        if self.encoding == "seeds":
            done = int(self.train_state.generation)
            wanted = done + positive_int("generations", generations)
            if wanted > self.max_generations:
                raise ValueError(
                    f"learn({generations}) would take this seed-chain GA to generation "
                    f"{wanted}, past its max_generations={self.max_generations} (it has run "
                    f"{done}). Create it with GA(..., encoding='seeds', "
                    f"max_generations={max(wanted, 2 * self.max_generations)}) to run longer."
                )
        super().learn(generations, *args, **kwargs)
        return self
