"""MAP-Elites over NEAT genomes: an archive of networks whose topologies grow.

The archive (:mod:`evotrain.qd`) holds one :class:`~evotrain.neat.genome.Genome` per cell
(empty cells hold NaN rows, so capacity levels read them as using none). Each generation's
batch is made of elites drawn uniformly from the filled cells; a share ``crossover_rate``
of them is first crossed with a second elite drawn the same way (NEAT's crossover,
:func:`~evotrain.neat.crossover.crossover`: genes aligned by historical marker, the fitter
elite's disjoint and excess genes kept), and every child is then passed through NEAT's
mutations (:func:`~evotrain.neat.mutation.mutate_population`: add and delete nodes and
connections, perturb attributes, with global historical markers). There is no
speciation: the archive's cells keep the diversity. The first batch is the usual minimal
genomes (every input connected to every output).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
from flax import struct

from evotrain.evaluation.result import Scores, as_evaluation
from evotrain.neat.crossover import crossover
from evotrain.neat.crossover import uniforms_needed as crossover_uniforms
from evotrain.neat.draws import Draws
from evotrain.neat.genome import Genome, GenomeConfig, initial_population, size_metrics
from evotrain.neat.mutation import mutate_population, population_draws
from evotrain.neat.params import NEATParams
from evotrain.qd.archive import Archive, empty_archive, fittest, insert_evaluated
from evotrain.qd.layout import Layout
from evotrain.strategies.map_elites import uniform_filled
from evotrain.types import Array, Metrics, PRNGKey


@dataclasses.dataclass(frozen=True)
class GenomeMAPElitesConfig:
    """Shape-fixing settings.

    Attributes:
        genome: the genomes' layout and capacity.
        pop_size: genomes per generation (the batch).
        layout: the archive's cells.
        qd_offset: subtracted from every elite's fitness in the logged QD score.
        crossover_rate: the share of children made by crossing two elites before
            mutation (the rest are mutated copies of one).
    """

    genome: GenomeConfig
    pop_size: int
    layout: Layout
    qd_offset: float = 0.0
    crossover_rate: float = 0.25

    def __post_init__(self) -> None:
        if not 0.0 <= self.crossover_rate <= 1.0:
            raise ValueError(f"crossover_rate must be in [0, 1], got {self.crossover_rate}.")


@struct.dataclass
class GenomeMAPElitesState:
    """Attributes:
    archive: the elites, an :class:`~evotrain.qd.Archive` of genomes.
    population: the batch last asked (the minimal genomes before the first tell).
    fitness: ``(pop_size,)`` the last batch's fitness.
    next_node_key: ``()`` the next unused node key (historical marker).
    generation: ``()`` int32.
    """

    archive: Archive
    population: Genome
    fitness: Array
    next_node_key: Array
    generation: Array


def _take(genomes: Genome, index: Array) -> Genome:
    return jax.tree_util.tree_map(lambda x: x[index], genomes)


@dataclasses.dataclass(frozen=True)
class GenomeMAPElites:
    """MAP-Elites whose individuals are NEAT genomes (see the module docs)."""

    config: GenomeMAPElitesConfig

    @property
    def default_params(self) -> NEATParams:
        return NEATParams()

    def init(self, key: PRNGKey, params: NEATParams) -> GenomeMAPElitesState:
        cfg = self.config
        population = initial_population(
            key, cfg.genome, cfg.pop_size, params.bias, params.response, params.weight
        )
        blank = jax.tree_util.tree_map(
            lambda x: jnp.full(x.shape[1:], jnp.nan, x.dtype), population
        )
        return GenomeMAPElitesState(
            archive=empty_archive(cfg.layout, blank, blank=True),
            population=population,
            fitness=jnp.full((cfg.pop_size,), -jnp.inf, jnp.float32),
            next_node_key=jnp.asarray(cfg.genome.num_io, jnp.float32),
            generation=jnp.zeros((), jnp.int32),
        )

    def ask(
        self, key: PRNGKey, state: GenomeMAPElitesState, params: NEATParams
    ) -> tuple[Genome, GenomeMAPElitesState]:
        """The minimal genomes at generation 0 (or while the archive is empty), afterwards
        mutated copies and crossings of elites drawn uniformly from the filled cells."""
        cfg = self.config
        g, n = cfg.genome, cfg.pop_size
        k_pick, k_mate, k_cross, k_draw = jax.random.split(key, 4)
        archive = state.archive
        first_cell = uniform_filled(k_pick, archive.filled, n)
        mate_cell = uniform_filled(k_mate, archive.filled, n)
        parents = _take(archive.genotypes, first_cell)
        if cfg.crossover_rate > 0.0:
            fitter = archive.fitness[first_cell] >= archive.fitness[mate_cell]
            a = jnp.where(fitter, first_cell, mate_cell)
            b = jnp.where(fitter, mate_cell, first_cell)
            u, z = Draws.population(k_cross, n, 1 + crossover_uniforms(g.max_nodes, g.max_conns), 0)
            crossed = jax.vmap(lambda u, z, x, y: crossover(Draws(u, z), x, y))(
                u[:, 1:], z, _take(archive.genotypes, a), _take(archive.genotypes, b)
            )
            cross = u[:, 0] < cfg.crossover_rate
            parents = jax.tree_util.tree_map(
                lambda c, p: jnp.where(cross.reshape((-1,) + (1,) * (p.ndim - 1)), c, p),
                crossed,
                parents,
            )
        uniform, normal = population_draws(k_draw, n, g)
        children, next_key = mutate_population(
            uniform, normal, parents, state.next_node_key, params, g
        )
        first = (state.generation == 0) | ~jnp.any(archive.filled)
        population = jax.tree_util.tree_map(
            lambda a, b: jnp.where(first, a, b), state.population, children
        )
        return population, state.replace(
            next_node_key=jnp.where(first, state.next_node_key, next_key)
        )

    def tell(
        self,
        key: PRNGKey,
        population: Genome,
        evaluation: Scores,
        state: GenomeMAPElitesState,
        params: Any,
    ) -> tuple[GenomeMAPElitesState, Metrics]:
        """Inserts the evaluated genomes into the archive by their descriptors.

        Raises:
            ValueError: the evaluation carries no descriptors (at trace time).
        """
        del key, params
        ev = as_evaluation(evaluation)
        cfg = self.config
        archive, _, qd = insert_evaluated(state.archive, cfg.layout, population, ev, cfg.qd_offset)
        fitness = jnp.asarray(ev.fitness, jnp.float32)
        new = state.replace(
            archive=archive, population=population, fitness=fitness, generation=state.generation + 1
        )
        metrics = {**size_metrics(population, fitness), **qd}
        return new, metrics

    def policy_params(self, state: GenomeMAPElitesState) -> Genome:
        """The archive's fittest elite (the first batch's first genome while empty)."""
        return fittest(state.archive, _take(state.population, 0))


__all__ = ["GenomeMAPElites", "GenomeMAPElitesConfig", "GenomeMAPElitesState"]
