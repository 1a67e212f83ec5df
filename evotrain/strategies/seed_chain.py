"""The seed-chain deep GA: individuals stored as random seeds, rebuilt when evaluated.

Such et al. (2017), "Deep Neuroevolution: Genetic Algorithms Are a Competitive Alternative
for Training Deep Neural Networks for Reinforcement Learning", arXiv:1712.06567, section 3:
with mutation-only reproduction an individual is fully described by the seed of its
initial parameters and the seeds of the mutations applied since,
``theta_g = theta_0(s_0) + sum_i sigma * eps(s_i)``. The population then costs
``pop_size x max_generations`` 32-bit integers instead of ``pop_size x num_dims`` floats, and
saves shrink accordingly.

:class:`SeedChainGA` does the selection on chains (truncation or tournament, elites carried
over and re-evaluated every generation, as in the paper). It never builds parameters;
:class:`SeedDecoder` does, inside evaluation (the policy network's ``prepare``, once per
individual per generation, one ``pop_batch_size`` slice at a time), so the parameters of
the whole population never exist at once.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
from flax import struct

from evotrain.evaluation.result import Scores, as_evaluation
from evotrain.strategies.ga import GAConfig, Initializer, select_parents
from evotrain.types import Array, Fitness, Metrics, PRNGKey


@struct.dataclass
class SeedChain:
    """Individuals as seed chains.

    Attributes:
        seeds: ``(..., capacity)`` uint32; entry 0 seeds the initial parameters, entries
            ``1 .. length - 1`` the mutations in the order they were applied, the rest is 0.
        length: ``(...)`` int32, the used entries (at least 1).
    """

    seeds: Array
    length: Array


@dataclasses.dataclass(frozen=True)
class SeedDecoder:
    """Rebuilds parameters from a seed chain.

    The same numbers a float GA would hold: the initial draw
    ``initializer(k0) + init_sigma * N(0, I)`` from the first seed, then one mutation per
    later seed, each ``sigma * N(0, I)`` on the genes a ``mutation_rate`` coin selects,
    added in order.

    Attributes:
        num_dims: parameters per individual.
        mutation_sigma: the mutation's standard deviation.
        mutation_rate: probability that a gene is mutated (1: every gene, no mask drawn).
        init_sigma: spread of the initial draw around the initializer's output.
        initializer: draws the base parameters from a key (None: zeros).
    """

    num_dims: int
    mutation_sigma: float
    mutation_rate: float = 1.0
    init_sigma: float = 0.1
    initializer: Initializer | None = None

    def initial(self, seed: Array) -> Array:
        """The initial parameters ``(num_dims,)`` of seed ``seed`` (``()`` uint32)."""
        base_key, noise_key = jax.random.split(jax.random.key(seed))
        if self.initializer is None:
            base = jnp.zeros((self.num_dims,), jnp.float32)
        else:
            base = self.initializer(base_key).astype(jnp.float32)
        return base + self.init_sigma * jax.random.normal(noise_key, (self.num_dims,))

    def mutation(self, seed: Array) -> Array:
        """The mutation ``(num_dims,)`` of seed ``seed`` (``()`` uint32)."""
        key = jax.random.key(seed)
        if self.mutation_rate >= 1.0:
            return self.mutation_sigma * jax.random.normal(key, (self.num_dims,))
        mask_key, noise_key = jax.random.split(key)
        noise = self.mutation_sigma * jax.random.normal(noise_key, (self.num_dims,))
        mask = jax.random.bernoulli(mask_key, self.mutation_rate, (self.num_dims,))
        return jnp.where(mask, noise, 0.0)

    def __call__(self, chain: SeedChain) -> Array:
        """One individual's parameters ``(num_dims,)`` from its chain (no population axis).

        The loop runs ``length - 1`` times (under ``vmap``: the batch's longest chain).
        """
        theta = self.initial(chain.seeds[0])
        return jax.lax.fori_loop(
            1, chain.length, lambda i, t: t + self.mutation(chain.seeds[i]), theta
        )


@dataclasses.dataclass(frozen=True)
class SeedChainConfig:
    """Shape-fixing settings.

    Attributes:
        ga: population size, elites and selection (``crossover`` does not apply).
        max_generations: chain capacity: generations a run can go through in all.
    """

    ga: GAConfig
    max_generations: int = 1000

    def __post_init__(self) -> None:
        if self.max_generations < 1:
            raise ValueError(f"max_generations must be positive, got {self.max_generations}.")

    @property
    def pop_size(self) -> int:
        return self.ga.pop_size


@struct.dataclass
class SeedChainState:
    """Attributes: ``population`` (a :class:`SeedChain` of ``(pop_size, capacity)`` seeds),
    its ``fitness (pop_size,)`` (``-inf`` before the first evaluation), ``generation ()``."""

    population: SeedChain
    fitness: Array
    generation: Array


@struct.dataclass
class Offspring:
    """One generation's reproduction plan.

    Attributes:
        elites: ``(elite_size,)`` indices of the individuals carried over unchanged.
        parents: ``(pop_size - elite_size,)`` indices of each child's parent.
        seeds: ``(pop_size - elite_size,)`` uint32 seeds of the children's new mutations.
    """

    elites: Array
    parents: Array
    seeds: Array


class SeedChainGA:
    """Mutation-only GA with elitism over seed chains (no parameters are held).

    Args:
        config: shape-fixing settings.
    """

    def __init__(self, config: SeedChainConfig) -> None:
        self.config = config

    def __eq__(self, other: object) -> bool:
        """Equal settings make equal strategies (their programs are shared)."""
        return type(other) is type(self) and other.config == self.config  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.config))

    @property
    def default_params(self) -> tuple[()]:
        """No tunable numbers: the mutation scale is the decoder's (it is part of the
        encoding, fixed for a run)."""
        return ()

    def init(self, key: PRNGKey, params: tuple[()]) -> SeedChainState:
        del params
        n, cap = self.config.pop_size, self.config.max_generations
        first = jax.random.bits(key, (n,), jnp.uint32)
        seeds = jnp.zeros((n, cap), jnp.uint32).at[:, 0].set(first)
        return SeedChainState(
            population=SeedChain(seeds=seeds, length=jnp.ones((n,), jnp.int32)),
            fitness=jnp.full((n,), -jnp.inf, jnp.float32),
            generation=jnp.zeros((), jnp.int32),
        )

    def offspring(self, key: PRNGKey, fitness: Fitness) -> Offspring:
        """Who survives, who reproduces, and with which mutation seeds.

        Args:
            key: the generation's ask key.
            fitness: ``(pop_size,)`` fitness of the evaluated population.
        """
        ga = self.config.ga
        n_children = ga.pop_size - ga.elite_size
        select_key, seed_key = jax.random.split(key)
        order = jnp.argsort(-fitness, stable=True)
        parents = select_parents(select_key, ga, fitness, order, n_children)
        seeds = jax.random.bits(seed_key, (n_children,), jnp.uint32)
        return Offspring(elites=order[: ga.elite_size], parents=parents, seeds=seeds)

    def ask(
        self, key: PRNGKey, state: SeedChainState, params: tuple[()]
    ) -> tuple[SeedChain, SeedChainState]:
        """The initial chains at generation 0, afterwards elites plus mutated children.

        Returns:
            ``population`` (:class:`SeedChain`, ``(pop_size, capacity)``) and the unchanged
            state.
        """
        del params
        plan = self.offspring(key, state.fitness)
        pop = state.population
        parent_seeds = pop.seeds[plan.parents]
        parent_length = pop.length[plan.parents]
        rows = jnp.arange(plan.parents.shape[0])
        child_seeds = parent_seeds.at[rows, parent_length].set(plan.seeds, mode="drop")
        offspring = SeedChain(
            seeds=jnp.concatenate([pop.seeds[plan.elites], child_seeds]),
            length=jnp.concatenate([pop.length[plan.elites], parent_length + 1]),
        )
        first = state.generation == 0
        population = jax.tree_util.tree_map(lambda a, b: jnp.where(first, a, b), pop, offspring)
        return population, state

    def tell(
        self,
        key: PRNGKey,
        population: SeedChain,
        evaluation: Scores,
        state: SeedChainState,
        params: tuple[()],
    ) -> tuple[SeedChainState, Metrics]:
        """Keeps the evaluated chains and their fitness for the next selection."""
        fitness = as_evaluation(evaluation).fitness
        del key, params
        new_state = SeedChainState(
            population=population, fitness=fitness, generation=state.generation + 1
        )
        return new_state, {"chain_length": jnp.max(population.length)}

    def policy_params(self, state: SeedChainState) -> SeedChain:
        """The current generation's best chain (``(capacity,)`` seeds)."""
        best = jnp.argmax(state.fitness)
        return jax.tree_util.tree_map(lambda x: x[best], state.population)
