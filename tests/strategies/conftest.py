"""Strategies parametrized over the registry of this package's strategies.

Each registry entry is a :class:`StrategyCase`: a strategy together with a fitness over its
own population type (flat vectors for OpenES, GA and evosax's strategies, NaN-padded
genomes for NEAT) and a check that a run on that fitness learned something. The contract
tests in ``test_common.py`` run every case.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from evotrain.evaluation.result import Evaluation, as_evaluation
from evotrain.neat.genome import CONN_ATTRS, NODE_ATTRS, Genome, GenomeConfig
from evotrain.networks.neat_network import NEATNetwork
from evotrain.qd import GridLayout
from evotrain.strategies import GAConfig, GAStrategy, OpenESConfig, OpenESStrategy
from evotrain.strategies.neat import NEATConfig, NEATStrategy

TARGET = 1.5


def sphere(population):
    """Maximized at every coordinate == TARGET; ``(pop, dims) -> (pop,)``."""
    return -jnp.sum(jnp.square(population - TARGET), axis=-1)


def strong(tree):
    """``tree`` with weak types dropped (same values and dtypes)."""
    return jax.tree_util.tree_map(lambda x: jnp.asarray(x, jnp.result_type(x)), tree)


def assert_trees_equal(a, b, *, rtol: float = 0.0, atol: float = 0.0) -> None:
    """Same structure, shapes and dtypes, and values within tolerance (exact by default).

    NaN equals NaN, so NaN-padded genomes compare equal where both are padding.
    """
    assert jax.tree_util.tree_structure(a) == jax.tree_util.tree_structure(b)
    paths_a, _ = jax.tree_util.tree_flatten_with_path(a)
    for (path, x), y in zip(paths_a, jax.tree_util.tree_leaves(b), strict=True):
        where = jax.tree_util.keystr(path)
        if jax.dtypes.issubdtype(jnp.result_type(x), jax.dtypes.prng_key):
            x, y = jax.random.key_data(x), jax.random.key_data(y)
        x, y = np.asarray(x), np.asarray(y)
        assert x.shape == y.shape, f"{where}: shape {x.shape} != {y.shape}"
        assert x.dtype == y.dtype, f"{where}: dtype {x.dtype} != {y.dtype}"
        if rtol == 0.0 and atol == 0.0:
            np.testing.assert_array_equal(x, y, err_msg=where)
        else:
            np.testing.assert_allclose(x, y, rtol=rtol, atol=atol, equal_nan=True, err_msg=where)


@dataclasses.dataclass(frozen=True)
class StrategyCase:
    """A strategy with the fitness the contract tests run it on.

    Attributes:
        name: the registry name.
        strategy: the strategy under test.
        fitness: ``population -> (pop_size,)`` fitness (maximized), finite or ``-inf``.
        population_shapes: the shapes ``ask`` must return, as a pytree like the population.
        generations: generations of the learning test.
        assert_learned: ``(case, final_state, best_fitness_per_generation) -> None``, raises
            if the run did not learn.
        known_issues: contract test name -> bug it is expected to fail on (strict xfail, so
            the mark must go once the bug is fixed).
    """

    name: str
    strategy: Any
    fitness: Callable[[Any], jax.Array]
    population_shapes: Any
    generations: int
    assert_learned: Callable[[StrategyCase, Any, list[float]], None]
    known_issues: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def generation(self, state, key):
        """One ask -> evaluate -> tell; returns the new state and the best fitness."""
        params = self.strategy.default_params
        ask_key, tell_key = jax.random.split(key)
        population, state = self.strategy.ask(ask_key, state, params)
        scores = self.jit_fitness(population)  # a fitness, or an Evaluation with descriptors
        state, _ = self.strategy.tell(tell_key, population, scores, state, params)
        return state, jnp.max(as_evaluation(scores).fitness)

    @functools.cached_property
    def jit_fitness(self):
        """The fitness is test code, not under test: jitted even in an eager generation."""
        return jax.jit(self.fitness)

    @functools.cached_property
    def traces(self) -> list[int]:
        """One entry per trace of :attr:`jit_generation`."""
        return []

    @functools.cached_property
    def jit_generation(self):
        """:meth:`generation` jitted once per case, shared by the tests (one compile)."""

        def generation(state, key):
            self.traces.append(1)
            return self.generation(state, key)

        return jax.jit(generation)

    @functools.cached_property
    def jit_init(self):
        return jax.jit(self.strategy.init)

    def initial_state(self, key):
        """The jitted init's state with weak types dropped, so that :attr:`jit_generation`
        sees one input type from generation 0 on even for a strategy whose init state is
        weakly typed (``test_init_state_has_the_types_of_later_states`` checks those)."""
        return strong(self.jit_init(key, self.strategy.default_params))


# OpenES and GA: the sphere over flat vectors.


def _assert_near_target(case: StrategyCase, state, best: list[float]) -> None:
    policy = case.strategy.policy_params(state)
    assert np.abs(np.asarray(policy) - TARGET).max() < 0.5


def make_open_es(pop_size=32, num_dims=5):
    return OpenESStrategy(OpenESConfig(pop_size=pop_size, num_dims=num_dims), optax.adam(0.1))


def make_ga(pop_size=32, num_dims=5):
    return GAStrategy(GAConfig(pop_size=pop_size, num_dims=num_dims, elite_size=2))


def _sphere_case(
    name, strategy, fitness=sphere, generations=150, assert_learned=_assert_near_target
) -> StrategyCase:
    cfg = strategy.config
    return StrategyCase(
        name=name,
        strategy=strategy,
        fitness=fitness,
        population_shapes=(cfg.pop_size, cfg.num_dims),
        generations=generations,
        assert_learned=assert_learned,
    )


# NEAT: fit a tiny genome network to a fixed linear target on a grid of inputs.

NEAT_GENOME = GenomeConfig(num_inputs=2, num_outputs=1, max_nodes=10, max_conns=20)
_GRID = np.linspace(-1.0, 1.0, 4, dtype=np.float32)
NEAT_INPUTS = np.stack(np.meshgrid(_GRID, _GRID), axis=-1).reshape(-1, 2)  # (16, 2)
NEAT_TARGETS = 0.6 * NEAT_INPUTS[:, 0] - 0.4 * NEAT_INPUTS[:, 1]  # within tanh's range
# The error of always answering 0: what a network must beat to have learned anything.
NEAT_ZERO_MSE = float(np.mean(np.square(NEAT_TARGETS)))


def linear_fit(population):
    """Negative mean squared error of each genome on the linear target, ``-inf`` if not finite.

    ``population``: a :class:`~evotrain.neat.genome.Genome` with a leading ``pop`` axis.
    """
    network = NEATNetwork(NEAT_GENOME)
    inputs, targets = jnp.asarray(NEAT_INPUTS), jnp.asarray(NEAT_TARGETS)

    def one(genome):
        outputs = jax.vmap(lambda x: network.apply(genome, x))(inputs)[:, 0]
        return -jnp.mean(jnp.square(outputs - targets))

    fitness = jax.vmap(one)(population)
    return jnp.where(jnp.isfinite(fitness), fitness, -jnp.inf)


def _assert_fits_target(case: StrategyCase, state, best: list[float]) -> None:
    """The policy is the last population's fittest genome, its error is under a quarter of
    always answering 0 and at most half the error of generation 0's best genome."""
    policy = case.strategy.policy_params(state)
    fitness = float(case.jit_fitness(jax.tree_util.tree_map(lambda x: x[None], policy))[0])
    np.testing.assert_allclose(fitness, best[-1], rtol=1e-5)
    assert -fitness < 0.25 * NEAT_ZERO_MSE, (fitness, NEAT_ZERO_MSE)
    assert -fitness <= 0.5 * -best[0], (fitness, best[0])


def make_neat(pop_size=16):
    return NEATStrategy(NEATConfig(genome=NEAT_GENOME, pop_size=pop_size, max_species=4))


def _neat_case(name, strategy) -> StrategyCase:
    g, pop = strategy.config.genome, strategy.config.pop_size
    return StrategyCase(
        name=name,
        strategy=strategy,
        fitness=linear_fit,
        population_shapes=Genome(
            nodes=(pop, g.max_nodes, NODE_ATTRS), conns=(pop, g.max_conns, CONN_ATTRS)
        ),
        generations=30,
        assert_learned=_assert_fits_target,
    )


# evosax through the adapter: one distribution-based and one population-based strategy
# (tests/algorithms/test_evosax_family.py runs every supported one under the shell).


def make_evosax(name, pop_size=32, num_dims=5, **kwargs):
    from evotrain.strategies.evosax import EvosaxStrategy

    return EvosaxStrategy(name, num_dims, pop_size, **kwargs)


# Quality-diversity: the sphere, each point described by its first two coordinates.


def described_sphere(population):
    """The sphere's fitness with descriptors that change every 0.1 of the first two
    coordinates (their fractional tenths), as the :class:`Evaluation` a
    quality-diversity strategy's ``tell`` reads."""
    return Evaluation(
        fitness=sphere(population),
        env_steps=jnp.zeros((), jnp.int32),
        episode_length_max=jnp.zeros((), jnp.int32),
        descriptors=jnp.mod(population[:, :2] * 10.0, 1.0),
    )


QD_LAYOUT = GridLayout((5, 5), (0.0, 0.0), (1.0, 1.0))


def _assert_archive_grew(case: StrategyCase, state, best: list[float]) -> None:
    """Several cells hold elites, and the fittest elite beats the first batch's best."""
    archive = state.archive
    assert int(archive.filled.sum()) > 1
    assert float(archive.fitness.max()) > best[0]


def _qd_case(name, strategy) -> StrategyCase:
    return _sphere_case(name, strategy, described_sphere, 60, _assert_archive_grew)


def make_map_elites(pop_size=32, num_dims=5):
    from evotrain.strategies.map_elites import MAPElitesConfig, MAPElitesStrategy

    return MAPElitesStrategy(MAPElitesConfig(pop_size, num_dims, QD_LAYOUT))


def make_cma_me(pop_size=32, num_dims=5, emitters=1):
    from evotrain.strategies.cma_me import CMAMEConfig, CMAMEStrategy

    config = CMAMEConfig(pop_size, num_dims, QD_LAYOUT, sigma0=0.3, emitters=emitters)
    return CMAMEStrategy(config)


def make_me_es(pop_size=32, num_dims=5):
    from evotrain.strategies.me_es import MEESConfig, MEESStrategy

    return MEESStrategy(MEESConfig(pop_size, num_dims, QD_LAYOUT, run_length=5), optax.adam(0.1))


STRATEGIES = {
    "open_es": lambda: _sphere_case("open_es", make_open_es()),
    "ga": lambda: _sphere_case("ga", make_ga()),
    "neat": lambda: _neat_case("neat", make_neat()),
    "evosax_cma_es": lambda: _sphere_case("evosax_cma_es", make_evosax("CMA_ES")),
    "evosax_de": lambda: _sphere_case("evosax_de", make_evosax("DifferentialEvolution")),
    "map_elites": lambda: _qd_case("map_elites", make_map_elites()),
    "cma_me": lambda: _qd_case("cma_me", make_cma_me()),
    "cma_me_emitters": lambda: _qd_case("cma_me_emitters", make_cma_me(emitters=2)),
    "me_es": lambda: _qd_case("me_es", make_me_es()),
}


@pytest.fixture(scope="module", params=sorted(STRATEGIES))
def case(request) -> StrategyCase:
    """One registry entry, shared by a module's tests so each compiles its step once."""
    return STRATEGIES[request.param]()


@pytest.fixture(autouse=True)
def _known_issue(request):
    """Marks a contract test a case lists in ``known_issues`` as a strict xfail."""
    if "case" in request.fixturenames:
        reason = request.getfixturevalue("case").known_issues.get(request.node.originalname)
        if reason:
            request.applymarker(
                pytest.mark.xfail(reason=reason, strict=True, raises=AssertionError)
            )
