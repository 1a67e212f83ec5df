"""A whole new search over genomes in one module: truncation selection and mutation, no
species and no crossover. With one registry row (in the test) it is an algorithm:
``GenomeHillClimb("FeedForward", "xor")`` trains, saves, loads and draws like NEAT."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import jax
import jax.numpy as jnp
from flax import struct

from evotrain.algorithms.genome_family import GenomeFamily
from evotrain.algorithms.genome_search import GenomeSearch
from evotrain.evaluation.result import Scores, as_evaluation
from evotrain.neat.genome import Genome, GenomeConfig, initial_population, size_metrics
from evotrain.neat.mutation import mutate_population, population_draws
from evotrain.neat.params import NEATParams, check_params
from evotrain.networks.neat_network import NEATNetwork
from evotrain.types import Array, Metrics, PRNGKey


@dataclasses.dataclass(frozen=True)
class ClimbConfig:
    genome: GenomeConfig
    pop_size: int
    parents: int = 4

    def __post_init__(self) -> None:
        if not 1 <= self.parents <= self.pop_size:
            raise ValueError(f"parents must be 1 to pop_size, got {self.parents}.")


@struct.dataclass
class ClimbState:
    population: Genome
    fitness: Array
    next_node_key: Array
    generation: Array


@dataclasses.dataclass(frozen=True)
class ClimbStrategy:
    """The ``parents`` fittest genomes survive; the rest are their mutated copies."""

    config: ClimbConfig

    @property
    def default_params(self) -> NEATParams:
        return NEATParams()

    def init(self, key: PRNGKey, params: NEATParams) -> ClimbState:
        cfg = self.config
        population = initial_population(
            key, cfg.genome, cfg.pop_size, params.bias, params.response, params.weight
        )
        return ClimbState(
            population=population,
            fitness=jnp.full((cfg.pop_size,), -jnp.inf, jnp.float32),
            next_node_key=jnp.asarray(cfg.genome.num_io, jnp.float32),
            generation=jnp.zeros((), jnp.int32),
        )

    def ask(self, key: PRNGKey, state: ClimbState, params: NEATParams) -> tuple[Genome, Any]:
        cfg = self.config
        order = jnp.argsort(-state.fitness)
        slot = jnp.arange(cfg.pop_size)
        parent = order[slot % cfg.parents]
        take = lambda idx: jax.tree_util.tree_map(lambda x: x[idx], state.population)  # noqa: E731
        uniform, normal = population_draws(key, cfg.pop_size, cfg.genome)
        children, next_key = mutate_population(
            uniform, normal, take(parent), state.next_node_key, params, cfg.genome
        )
        survivor = (slot < cfg.parents).reshape(-1, 1, 1)
        offspring = jax.tree_util.tree_map(
            lambda p, c: jnp.where(survivor, p, c), take(parent), children
        )
        first = state.generation == 0
        population = jax.tree_util.tree_map(
            lambda x, y: jnp.where(first, x, y), state.population, offspring
        )
        return population, state.replace(
            next_node_key=jnp.where(first, state.next_node_key, next_key)
        )

    def tell(
        self, key: PRNGKey, population: Genome, evaluation: Scores, state: ClimbState, params: Any
    ) -> tuple[ClimbState, Metrics]:
        fitness = as_evaluation(evaluation).fitness
        new = state.replace(population=population, fitness=fitness, generation=state.generation + 1)
        return new, size_metrics(population, fitness)

    def policy_params(self, state: ClimbState) -> Genome:
        best = jnp.argmax(state.fitness)
        return jax.tree_util.tree_map(lambda x: x[best], state.population)


def _build(genome: GenomeConfig, pop_size: int, options: dict[str, Any]) -> ClimbStrategy:
    return ClimbStrategy(ClimbConfig(genome=genome, pop_size=pop_size, **options))


HILL_CLIMB = GenomeSearch(
    name="genome hill climbing",
    options={"parents": 4},
    params=NEATParams,
    build=_build,
    check=check_params,
)


class GenomeHillClimb(GenomeFamily):
    """Truncation selection over NEAT genomes, on the genome-population shell."""

    algorithm_name = "hillclimb"
    display_name = "Genome hill climbing"
    search = HILL_CLIMB
    policy_aliases = {"FeedForward": functools.partial(NEATNetwork.for_sizes, feedforward=True)}
