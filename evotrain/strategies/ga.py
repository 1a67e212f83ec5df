"""Genetic algorithm over fixed-size parameter vectors.

The weight-evolution GA of the blog post's section 2: tournament selection of size ``k``,
uniform crossover, Gaussian mutation and elitism. With ``crossover_rate=0`` and
``selection="truncation"`` it is the deep-neuroevolution GA of Such et al. (2017),
"Deep Neuroevolution: Genetic Algorithms Are a Competitive Alternative for Training Deep
Neural Networks for Reinforcement Learning", arXiv:1712.06567: parents drawn uniformly
from the top ``truncation_size``, mutation only, elites carried over unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax
import jax.numpy as jnp
from flax import struct

from evotrain.evaluation.result import Scores, as_evaluation
from evotrain.strategies.base import ConfiguredStrategy
from evotrain.types import Array, Fitness, Metrics, Population, PRNGKey

Initializer = Callable[[PRNGKey], Array]
SELECTIONS = ("tournament", "truncation")


@dataclasses.dataclass(frozen=True)
class GAConfig:
    """Shape-fixing settings.

    Attributes:
        pop_size: individuals per generation.
        num_dims: length of the parameter vector.
        elite_size: best individuals copied unchanged into the next generation.
        selection: ``"tournament"`` or ``"truncation"``.
        tournament_size: ``k``, contestants per tournament.
        truncation_size: parent pool for truncation selection (None: ``pop_size // 5``).
    """

    pop_size: int
    num_dims: int
    elite_size: int = 1
    selection: str = "tournament"
    tournament_size: int = 3
    truncation_size: int | None = None

    @property
    def num_parents(self) -> int:
        """The truncation parent pool's size."""
        if self.truncation_size is not None:
            return self.truncation_size
        return max(1, self.pop_size // 5)

    def __post_init__(self) -> None:
        if self.pop_size < 2:
            raise ValueError(f"pop_size must be at least 2 for the GA, got {self.pop_size}.")
        if self.num_dims < 1:
            raise ValueError(f"num_dims must be positive, got {self.num_dims}.")
        if not 0 <= self.elite_size < self.pop_size:
            raise ValueError(
                f"elite_size must be in [0, pop_size), got {self.elite_size} with "
                f"pop_size={self.pop_size}."
            )
        if self.selection not in SELECTIONS:
            raise ValueError(
                f"Unknown selection {self.selection!r}; choose one of {', '.join(SELECTIONS)}."
            )
        if self.tournament_size < 1:
            raise ValueError(f"tournament_size must be at least 1, got {self.tournament_size}.")
        if self.truncation_size is not None and not 1 <= self.truncation_size <= self.pop_size:
            raise ValueError(
                f"truncation_size must be in [1, pop_size={self.pop_size}], got "
                f"{self.truncation_size}."
            )


@struct.dataclass
class GAParams:
    """Tunable numbers.

    Attributes:
        mutation_sigma: standard deviation of the Gaussian mutation.
        mutation_rate: probability that a gene is mutated.
        crossover_rate: probability that a child comes from uniform crossover of two
            parents (otherwise it is a mutated copy of one).
        init_sigma: scale of the initial population around the initializer's draw.
    """

    mutation_sigma: float = 0.05
    mutation_rate: float = 1.0
    crossover_rate: float = 0.5
    init_sigma: float = 0.1


@struct.dataclass
class GAState:
    """Attributes: ``population (pop_size, num_dims)``, its ``fitness (pop_size,)``
    (``-inf`` before the first evaluation) and ``generation ()``."""

    population: Array
    fitness: Array
    generation: Array


def check_params(params: GAParams) -> None:
    """Raises ``ValueError`` for impossible values (call on concrete params)."""
    for name in ("mutation_rate", "crossover_rate"):
        value = getattr(params, name)
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be a probability in [0, 1], got {value}.")
    if params.mutation_sigma < 0:
        raise ValueError(f"mutation_sigma must be non-negative, got {params.mutation_sigma}.")
    if params.init_sigma < 0:
        raise ValueError(f"init_sigma must be non-negative, got {params.init_sigma}.")


def select_parents(
    key: PRNGKey, config: GAConfig, fitness: Fitness, order: Array, count: int
) -> Array:
    """Indices of ``count`` parents chosen by the config's selection.

    Args:
        key: selection key.
        config: the GA's settings (selection kind and sizes).
        fitness: ``(pop_size,)`` fitness of the current population (maximized).
        order: ``(pop_size,)`` indices sorting ``fitness`` best first.
        count: parents to draw.

    Returns:
        ``(count,)`` int32 indices into the population.
    """
    if config.selection == "truncation":
        picks = jax.random.randint(key, (count,), 0, config.num_parents)
        return order[picks]
    k = config.tournament_size
    contestants = jax.random.randint(key, (count, k), 0, config.pop_size)
    winner = jnp.argmax(fitness[contestants], axis=1)
    return jnp.take_along_axis(contestants, winner[:, None], axis=1)[:, 0]


class GAStrategy(ConfiguredStrategy):
    """A generational GA with elitism.

    Args:
        config: shape-fixing settings.
        initializer: draws one individual from a key (default: ``N(0, init_sigma^2)``).
    """

    config: GAConfig

    @property
    def default_params(self) -> GAParams:
        return GAParams()

    def init(self, key: PRNGKey, params: GAParams) -> GAState:
        n, d = self.config.pop_size, self.config.num_dims
        population = self._draw(key, n, d, params.init_sigma)
        return GAState(
            population=population,
            fitness=jnp.full((n,), -jnp.inf, jnp.float32),
            generation=jnp.zeros((), jnp.int32),
        )

    def ask(self, key: PRNGKey, state: GAState, params: GAParams) -> tuple[Population, GAState]:
        """The initial population at generation 0, afterwards elites plus offspring.

        Returns:
            ``population (pop_size, num_dims)`` and the unchanged state.
        """
        n, d, e = self.config.pop_size, self.config.num_dims, self.config.elite_size
        n_children = n - e
        k1, k2, k_cross, k_which, k_mask, k_noise = jax.random.split(key, 6)
        order = jnp.argsort(-state.fitness, stable=True)
        elites = state.population[order[:e]]
        parents_a = state.population[
            select_parents(k1, self.config, state.fitness, order, n_children)
        ]
        parents_b = state.population[
            select_parents(k2, self.config, state.fitness, order, n_children)
        ]
        crossed = jax.random.bernoulli(k_cross, params.crossover_rate, (n_children, 1))
        take_b = jax.random.bernoulli(k_which, 0.5, (n_children, d)) & crossed
        children = jnp.where(take_b, parents_b, parents_a)
        mutate = jax.random.bernoulli(k_mask, params.mutation_rate, (n_children, d))
        noise = params.mutation_sigma * jax.random.normal(k_noise, (n_children, d))
        children = children + jnp.where(mutate, noise, 0.0)
        offspring = jnp.concatenate([elites, children], axis=0)
        population = jnp.where(state.generation == 0, state.population, offspring)
        return population, state

    def tell(
        self,
        key: PRNGKey,
        population: Population,
        evaluation: Scores,
        state: GAState,
        params: GAParams,
    ) -> tuple[GAState, Metrics]:
        """Keeps the evaluated population and its fitness for the next selection."""
        fitness = as_evaluation(evaluation).fitness
        del key, params
        new_state = GAState(population=population, fitness=fitness, generation=state.generation + 1)
        return new_state, {}

    def policy_params(self, state: GAState) -> Array:
        return state.population[jnp.argmax(state.fitness)]
