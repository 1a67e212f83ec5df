"""``GA(policy, env, ...)``: the weight-evolution genetic algorithm behind the SB3-style shell."""

from __future__ import annotations

from typing import Any, final

from evotrain.algorithms.base import BaseEvolver
from evotrain.strategies import ga


@final
class GA(BaseEvolver):
    """Genetic algorithm on an MLP policy's weights.

    Defaults are the blog's GA: tournament selection (``k=3``), uniform crossover,
    Gaussian mutation, one elite. ``selection="truncation", crossover_rate=0`` gives the
    deep-neuroevolution GA of Such et al. ``predict`` acts with the current generation's
    best individual.

    Args:
        policy: ``"MlpPolicy"``.
        env: env id or object.
        pop_size: population size.
        elite_size: individuals copied unchanged to the next generation.
        selection: ``"tournament"`` or ``"truncation"``.
        tournament_size: ``k``.
        truncation_size: parent pool for truncation selection (default ``pop_size // 5``).
        mutation_sigma: Gaussian mutation scale.
        mutation_rate: per-gene mutation probability.
        crossover_rate: probability that a child is made by uniform crossover.
        init_sigma: spread of the initial population around the MLP initializer's draw.
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
        selection: str = "tournament",
        tournament_size: int = 3,
        truncation_size: int | None = None,
        mutation_sigma: float = 0.05,
        mutation_rate: float = 1.0,
        crossover_rate: float = 0.5,
        init_sigma: float = 0.1,
        **kwargs: Any,
    ) -> None:
        self.elite_size = int(elite_size)
        self.selection = selection
        self.tournament_size = int(tournament_size)
        self.truncation_size = truncation_size
        self.ga_params = ga.GAParams(
            mutation_sigma=float(mutation_sigma),
            mutation_rate=float(mutation_rate),
            crossover_rate=float(crossover_rate),
            init_sigma=float(init_sigma),
        )
        ga.check_params(self.ga_params)
        super().__init__(policy, env, pop_size=pop_size, **kwargs)

    def _make_strategy(self) -> tuple[ga.GAStrategy, ga.GAParams]:
        num_dims = self.policy.num_params
        config = ga.GAConfig(
            pop_size=self.pop_size,
            num_dims=num_dims,
            elite_size=self.elite_size,
            selection=self.selection,
            tournament_size=self.tournament_size,
            truncation_size=self.truncation_size,
        )
        return ga.GAStrategy(config, self.policy.init), self.ga_params
