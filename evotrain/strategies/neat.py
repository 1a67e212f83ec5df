"""NEAT as an init/ask/tell strategy over tensorized genomes.

Stanley & Miikkulainen (2002), "Evolving Neural Networks through Augmenting Topologies",
in the tensorized form of Wang et al. (2024), "Tensorized NeuroEvolution of Augmenting
Topologies for GPU Acceleration" (TensorNEAT): every step below is a pure function over
fixed-size arrays, vmapped over the population.

Generation flow: ``ask`` breeds the next population from the last evaluated one
(stagnation, offspring allocation, per-species elitism, crossover of survivors, mutation),
then speciates it; ``tell`` stores its fitness. Generation 0 asks the initial population.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
from flax import struct

from evotrain.evaluation.result import Scores, as_evaluation
from evotrain.neat.crossover import crossover
from evotrain.neat.crossover import uniforms_needed as crossover_uniforms
from evotrain.neat.draws import Draws
from evotrain.neat.genome import Genome, GenomeConfig, initial_population, size_metrics
from evotrain.neat.mutation import mutate_population
from evotrain.neat.mutation import normals_needed as mutation_normals
from evotrain.neat.mutation import uniforms_needed as mutation_uniforms
from evotrain.neat.params import NEATParams
from evotrain.neat.species import (
    ALLOCATIONS,
    SpeciesState,
    allocate_offspring,
    speciate,
    update_stagnation,
)
from evotrain.types import Array, Metrics, PRNGKey


@dataclasses.dataclass(frozen=True)
class NEATConfig:
    """Shape-fixing settings.

    Attributes:
        genome: the genome layout.
        pop_size: genomes per generation.
        max_species: species slots.
        allocation: ``"rank"`` (TensorNEAT) or ``"fitness"`` (canonical explicit fitness
            sharing) offspring allocation.
    """

    genome: GenomeConfig
    pop_size: int
    max_species: int = 10
    allocation: str = "fitness"

    def __post_init__(self) -> None:
        if self.pop_size < 2:
            raise ValueError(f"pop_size must be at least 2 for NEAT, got {self.pop_size}.")
        if self.max_species < 1:
            raise ValueError(f"max_species must be at least 1, got {self.max_species}.")
        if self.allocation not in ALLOCATIONS:
            raise ValueError(
                f"Unknown allocation {self.allocation!r}; choose one of {', '.join(ALLOCATIONS)}."
            )


@struct.dataclass
class NEATState:
    """Attributes:
    population: the current population (:class:`Genome`, leading axis ``pop_size``).
    fitness: ``(pop_size,)`` of ``population`` (``-inf`` before evaluation).
    species: ``(pop_size,)`` int32 species slot of each genome.
    species_state: the species tables.
    next_node_key: ``()`` float32, the next unused node key.
    generation: ``()`` int32.
    """

    population: Genome
    fitness: Array
    species: Array
    species_state: SpeciesState
    next_node_key: Array
    generation: Array


class NEATStrategy:
    """Tensorized NEAT.

    Args:
        config: shape-fixing settings.
    """

    def __init__(self, config: NEATConfig) -> None:
        self.config = config

    def __eq__(self, other: object) -> bool:
        """Equal settings make equal strategies (their programs are shared)."""
        return type(other) is type(self) and other.config == self.config  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.config))

    @property
    def default_params(self) -> NEATParams:
        return NEATParams()

    def init(self, key: PRNGKey, params: NEATParams) -> NEATState:
        cfg = self.config
        population = initial_population(
            key, cfg.genome, cfg.pop_size, params.bias, params.response, params.weight
        )
        s = cfg.max_species
        empty = SpeciesState(
            reps=jax.tree_util.tree_map(
                lambda x: jnp.full((s,) + x.shape[1:], jnp.nan, x.dtype), population
            ),
            alive=jnp.zeros((s,), bool),
            best=jnp.full((s,), -jnp.inf, jnp.float32),
            last_improved=jnp.zeros((s,), jnp.int32),
            size=jnp.zeros((s,), jnp.int32),
            threshold=jnp.asarray(params.compatibility_threshold, jnp.float32),
        )
        generation = jnp.zeros((), jnp.int32)
        species, species_state = speciate(
            population, empty, generation, params, cfg.genome.num_inputs
        )
        return NEATState(
            population=population,
            fitness=jnp.full((cfg.pop_size,), -jnp.inf, jnp.float32),
            species=species,
            species_state=species_state,
            next_node_key=jnp.asarray(cfg.genome.num_io, jnp.float32),
            generation=generation,
        )

    def _reproduce(
        self, key: PRNGKey, state: NEATState, params: NEATParams
    ) -> tuple[Genome, Array, Array]:
        """Children of the evaluated population, before mutation.

        Returns:
            ``(children, is_elite (pop,) bool, next_node_key)``.
        """
        cfg = self.config
        pop, s_max = cfg.pop_size, cfg.max_species
        fitness, species = state.fitness, state.species
        sp_state = update_stagnation(
            state.species_state, fitness, species, state.generation, params
        )
        spawn = allocate_offspring(
            fitness, species, sp_state.alive, sp_state.size, pop, params, cfg.allocation
        )
        # Members grouped by species, fittest first.
        order = jnp.lexsort((-fitness, species))
        sorted_species = species[order]
        start = jnp.searchsorted(sorted_species, jnp.arange(s_max), side="left")
        count = jnp.searchsorted(sorted_species, jnp.arange(s_max), side="right") - start
        child = jnp.arange(pop)
        ends = jnp.cumsum(spawn)
        child_species = jnp.searchsorted(ends, child, side="right")
        child_species = jnp.minimum(child_species, s_max - 1)
        rank_in_species = child - (ends[child_species] - spawn[child_species])
        s_count = count[child_species]
        s_start = start[child_species]
        is_elite = (rank_in_species < params.genome_elitism) & (rank_in_species < s_count)
        cutoff = jnp.ceil(params.survival_threshold * s_count).astype(jnp.int32)
        cutoff = jnp.clip(jnp.maximum(cutoff, params.min_species_size), 1, jnp.maximum(s_count, 1))
        g = cfg.genome
        n_cross, n_mut = crossover_uniforms(g.max_nodes, g.max_conns), mutation_uniforms(g)
        uniform, normal = Draws.population(key, pop, 2 + n_cross + n_mut, mutation_normals(g))
        picks = uniform[:, :2].T
        pick1 = jnp.minimum((picks[0] * cutoff).astype(jnp.int32), cutoff - 1)
        pick2 = jnp.minimum((picks[1] * cutoff).astype(jnp.int32), cutoff - 1)
        elite_idx = order[s_start + jnp.minimum(rank_in_species, s_count - 1)]
        i1 = order[s_start + pick1]
        i2 = order[s_start + pick2]
        fitter_first = fitness[i1] >= fitness[i2]
        a = jnp.where(fitter_first, i1, i2)
        b = jnp.where(fitter_first, i2, i1)
        take = lambda idx: jax.tree_util.tree_map(lambda x: x[idx], state.population)  # noqa: E731
        children = jax.vmap(lambda u, z, x, y: crossover(Draws(u, z), x, y))(
            uniform[:, 2 : 2 + n_cross], normal, take(a), take(b)
        )
        mutated, next_key = mutate_population(
            uniform[:, 2 + n_cross :], normal, children, state.next_node_key, params, cfg.genome
        )
        elites = take(elite_idx)
        offspring = jax.tree_util.tree_map(
            lambda e, m: jnp.where(is_elite.reshape((-1,) + (1,) * (e.ndim - 1)), e, m),
            elites,
            mutated,
        )
        return offspring, sp_state, next_key

    def ask(self, key: PRNGKey, state: NEATState, params: NEATParams) -> tuple[Genome, NEATState]:
        """The next population (the initial one at generation 0), already speciated."""
        offspring, sp_state, next_key = self._reproduce(key, state, params)
        species, sp_state = speciate(
            offspring, sp_state, state.generation, params, self.config.genome.num_inputs
        )
        first = state.generation == 0

        def pick(a, b):
            return jax.tree_util.tree_map(lambda x, y: jnp.where(first, x, y), a, b)

        new_state = state.replace(
            species=jnp.where(first, state.species, species),
            species_state=pick(state.species_state, sp_state),
            next_node_key=jnp.where(first, state.next_node_key, next_key),
        )
        return pick(state.population, offspring), new_state

    def tell(
        self,
        key: PRNGKey,
        population: Genome,
        evaluation: Scores,
        state: NEATState,
        params: NEATParams,
    ) -> tuple[NEATState, Metrics]:
        """Stores the evaluated population and its fitness."""
        fitness = as_evaluation(evaluation).fitness
        del key, params
        sp = state.species_state
        metrics = {
            "species": jnp.sum(sp.alive),
            "compatibility_threshold": sp.threshold,
            **size_metrics(population, fitness),
        }
        new_state = state.replace(
            population=population, fitness=fitness, generation=state.generation + 1
        )
        return new_state, metrics

    def policy_params(self, state: NEATState) -> Genome:
        """The current population's fittest genome."""
        best = jnp.argmax(state.fitness)
        return jax.tree_util.tree_map(lambda x: x[best], state.population)
