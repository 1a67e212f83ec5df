"""The evosax adapter: sign flip, non-finite fitness, seeding, policy_params, errors, and
the documented lists (UNSUPPORTED, EVEN_POPULATION) staying true for the installed evosax.

The contract tests (``test_common.py``) run two adapter cases on the sphere; every
supported strategy runs under the shell in ``tests/algorithms/test_evosax_family.py``.
"""

from __future__ import annotations

import dataclasses
import inspect

import evosax.algorithms
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.strategies import Strategy
from evotrain.strategies.evosax import EvosaxStrategy, finite_fitness
from evotrain.strategies.evosax_catalog import (
    EVEN_POPULATION,
    UNSUPPORTED,
    all_names,
    resolve_name,
    supported_names,
)
from tests.strategies.conftest import assert_trees_equal

DIMS, POP = 3, 8
FITNESS = jnp.asarray([0.5, -1.0, 2.0, 0.0, 1.5, -0.5, 3.0, 1.0], jnp.float32)
BROKEN = FITNESS.at[1].set(jnp.nan).at[4].set(jnp.inf).at[6].set(-jnp.inf)


def _first_generation(strategy, key):
    """``(state after init, population of the first ask, state after the first ask)``."""
    params = strategy.default_params
    init_key, ask_key = jax.random.split(key)
    state = strategy.init(init_key, params)
    population, asked = strategy.ask(ask_key, state, params)
    return state, population, asked


@pytest.fixture(scope="module")
def snes():
    strategy = EvosaxStrategy(
        "SNES", DIMS, POP, initializer=lambda k: jax.random.normal(k, (DIMS,))
    )
    return (strategy, *_first_generation(strategy, jax.random.key(0)))


@pytest.fixture(scope="module")
def simple_ga():
    strategy = EvosaxStrategy("SimpleGA", DIMS, POP)
    return (strategy, *_first_generation(strategy, jax.random.key(1)))


def test_is_a_strategy(snes):
    assert isinstance(snes[0], Strategy)


def test_tell_gives_evosax_the_negated_fitness(snes, key):
    strategy, _, population, asked = snes
    params = strategy.default_params
    state, metrics = strategy.tell(key, population, FITNESS, asked, params)
    want, _ = strategy.algorithm.tell(key, population, -FITNESS, asked.inner, params)
    assert_trees_equal(state.inner, jax.tree_util.tree_map(jnp.asarray, want), rtol=1e-6)
    assert set(metrics) == {"sigma"}


def test_fitness_is_maximized(snes, key):
    """On f(x) = x[0], a tell moves the mean up along axis 0 (evosax alone would move it
    down: it minimizes)."""
    strategy, init, population, asked = snes
    state, _ = strategy.tell(key, population, population[:, 0], asked, strategy.default_params)
    moved = strategy.policy_params(state) - strategy.policy_params(init)
    assert float(moved[0]) > 0.1
    assert float(moved[0]) > np.abs(np.asarray(moved[1:])).max()


def test_non_finite_fitness_is_the_worst_finite_one(snes, key):
    strategy, _, population, asked = snes
    params = strategy.default_params
    replaced = jnp.where(jnp.isfinite(BROKEN), BROKEN, -0.5)  # -0.5: the worst finite
    np.testing.assert_array_equal(finite_fitness(BROKEN), replaced)
    got, _ = strategy.tell(key, population, BROKEN, asked, params)
    want, _ = strategy.tell(key, population, replaced, asked, params)
    assert_trees_equal(got, want)
    assert all(np.isfinite(x).all() for x in jax.tree_util.tree_leaves(got.inner))


def test_a_generation_without_finite_fitness_changes_no_direction(snes, key):
    strategy, _, population, asked = snes
    params = strategy.default_params
    nothing = jnp.full((POP,), jnp.nan)
    np.testing.assert_array_equal(finite_fitness(nothing), jnp.zeros((POP,)))
    got, _ = strategy.tell(key, population, nothing, asked, params)
    want, _ = strategy.tell(key, population, jnp.zeros((POP,)), asked, params)
    assert_trees_equal(got, want)
    assert all(np.isfinite(x).all() for x in jax.tree_util.tree_leaves(got.inner))


def test_distribution_policy_params_is_the_mean(snes, key):
    strategy, init, population, asked = snes
    np.testing.assert_array_equal(strategy.policy_params(init), init.inner.mean)
    # init draws the mean from the initializer (not zeros, not NaN)
    assert np.isfinite(init.inner.mean).all() and np.any(init.inner.mean != 0)
    state, _ = strategy.tell(key, population, FITNESS, asked, strategy.default_params)
    np.testing.assert_array_equal(strategy.policy_params(state), state.inner.mean)
    assert not np.array_equal(state.inner.mean, init.inner.mean)


def test_population_based_first_generation_is_the_seed_population(simple_ga, key):
    strategy, init, population, asked = simple_ga
    assert not bool(init.seeded)
    np.testing.assert_array_equal(population, init.inner.population)
    assert population.shape == (POP, DIMS)
    assert np.isfinite(population).all() and np.unique(population, axis=0).shape[0] == POP
    # before any tell: the seed population's first member
    np.testing.assert_array_equal(strategy.policy_params(init), population[0])
    state, _ = strategy.tell(key, population, FITNESS, asked, strategy.default_params)
    assert bool(state.seeded)
    # the first tell is evosax's init with the evaluated seed population
    np.testing.assert_array_equal(state.inner.population, population)
    np.testing.assert_array_equal(state.inner.fitness, -FITNESS)
    assert int(state.inner.generation_counter) == 0


def test_population_based_policy_params_is_the_best_member(simple_ga, key):
    strategy, _, population, asked = simple_ga
    params = strategy.default_params
    state, _ = strategy.tell(key, population, FITNESS, asked, params)
    np.testing.assert_array_equal(strategy.policy_params(state), population[6])
    second, state = strategy.ask(key, state, params)
    assert not np.array_equal(second, population)  # evosax's own ask from now on
    fitness = -jnp.sum(jnp.square(second), axis=-1)
    state, _ = strategy.tell(key, second, fitness, state, params)
    np.testing.assert_array_equal(strategy.policy_params(state), second[jnp.argmax(fitness)])
    assert int(state.inner.generation_counter) == 1


def test_pytree_solutions_keep_their_layout(key):
    template = {"w": jnp.zeros((2, 2)), "b": jnp.zeros((3,))}
    strategy = EvosaxStrategy("Sep_CMA_ES", template, 6)
    state = strategy.init(key, strategy.default_params)
    population, _ = strategy.ask(key, state, strategy.default_params)
    assert jax.tree_util.tree_map(jnp.shape, population) == {"w": (6, 2, 2), "b": (6, 3)}
    assert strategy.config.num_dims == 7
    assert jax.tree_util.tree_map(jnp.shape, strategy.policy_params(state)) == {
        "w": (2, 2),
        "b": (3,),
    }


def test_keywords_reach_the_constructor_and_the_params():
    import optax

    optimizer = optax.sgd(0.5)
    strategy = EvosaxStrategy("SNES", DIMS, POP, std_init=0.25, optimizer=optimizer)
    assert strategy.algorithm.optimizer is optimizer
    assert float(strategy.default_params.std_init) == 0.25
    state = strategy.init(jax.random.key(0), strategy.default_params)
    np.testing.assert_array_equal(state.inner.std, np.full((DIMS,), 0.25, np.float32))


# ----------------------------------------------------------------------------- errors


def test_names_are_matched_loosely_and_misspellings_get_close_names():
    assert resolve_name("cmaes") == "CMA_ES"
    assert resolve_name("sep-cma-es") == "Sep_CMA_ES"
    assert resolve_name("XNES") == "xNES"
    with pytest.raises(ValueError, match="Did you mean 'CMA_ES'") as err:
        EvosaxStrategy("CMA_SE", DIMS, POP)
    assert "Sep_CMA_ES" in str(err.value)  # the supported names are listed
    with pytest.raises(ValueError, match="Did you mean 'SimpleGA'"):
        EvosaxStrategy("SimpleGAA", DIMS, POP)


def test_unknown_keywords_are_refused_naming_the_accepted_ones():
    with pytest.raises(TypeError, match="'sigma'") as err:
        EvosaxStrategy("CMA_ES", DIMS, POP, sigma=0.5)
    assert "std_init" in str(err.value) and "fitness_shaping_fn" in str(err.value)
    with pytest.raises(TypeError, match="optimizer"):  # SNES takes one, CMA-ES does not
        EvosaxStrategy("CMA_ES", DIMS, POP, optimizer=None)
    with pytest.raises(ValueError, match=r"shape \(\)"):
        EvosaxStrategy("CMA_ES", DIMS, POP, std_init=[1.0, 2.0])


@pytest.mark.parametrize("name", sorted(EVEN_POPULATION))
def test_odd_populations_are_refused_with_the_fix(name):
    with pytest.raises(ValueError, match="even pop_size such as 8"):
        EvosaxStrategy(name, DIMS, 7)


def test_other_evosax_size_checks_become_value_errors():
    with pytest.raises(ValueError, match="refuses pop_size=3"):
        EvosaxStrategy("DifferentialEvolution", DIMS, 3)
    with pytest.raises(ValueError, match="use pop_size < 6"):
        EvosaxStrategy("LM_MA_ES", DIMS, 8)  # c_c = 8 / 3 >= 2: NaN otherwise


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_strategies_are_refused_with_the_reason(name):
    with pytest.raises(ValueError, match="not supported by evotrain") as err:
        EvosaxStrategy(name, DIMS, POP)
    assert UNSUPPORTED[name] in str(err.value)


# ------------------------------------------------------------- the lists stay true


def test_every_evosax_strategy_is_supported_or_listed_as_unsupported():
    installed = set(evosax.algorithms.algorithms)
    assert set(UNSUPPORTED) <= installed
    assert set(supported_names()) == installed - set(UNSUPPORTED)
    assert set(all_names()) == installed
    assert EVEN_POPULATION <= set(supported_names())


def _source(name):
    return inspect.getsource(inspect.getmodule(evosax.algorithms.algorithms[name]))


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_each_unsupported_reason_still_holds(name):
    cls = evosax.algorithms.algorithms[name]
    reason = UNSUPPORTED[name]
    if "pickle" in reason:
        # its default weights come from load_pkl_object (pickle) on a bundled file
        assert "load_pkl_object" in _source(name) or "load_parameters" in _source(name)
        assert "params_path" in inspect.signature(cls.__init__).parameters
    elif "Stein variational" in reason:
        p = inspect.signature(cls.__init__).parameters["num_populations"]
        assert p.default is inspect.Parameter.empty
    elif "surrogate gradient" in reason:
        assert "grad" in {f.name for f in dataclasses.fields(inspect.getmodule(cls).State)}
    elif "truncated unrolls" in reason:
        params = cls(population_size=POP, solution=jnp.zeros(DIMS)).default_params
        assert {"T", "K"} <= {f.name for f in dataclasses.fields(params)}
    else:  # pragma: no cover - a new reason needs its own check here
        pytest.fail(f"no check for the reason given for {name}: {reason}")


def test_even_population_lists_exactly_the_strategies_that_need_one(key):
    """With an odd pop_size, every supported strategy outside EVEN_POPULATION asks for a
    population of that size; those inside are refused (test above)."""
    wrong = {}
    for name in supported_names():
        if name in EVEN_POPULATION:
            continue
        strategy = EvosaxStrategy(name, 10, 7)  # 10 dims: LM-MA-ES needs pop < 2 dims
        params = strategy.default_params
        state = jax.eval_shape(strategy.init, key, params)
        population, _ = jax.eval_shape(strategy.ask, key, state, params)
        if population.shape != (7, 10):
            wrong[name] = population.shape
    assert not wrong, f"need an even pop_size (add to EVEN_POPULATION): {wrong}"


def test_the_docs_list_every_supported_and_unsupported_strategy_with_its_reason():
    import pathlib

    from evotrain.strategies.evosax_catalog import UNSUPPORTED, supported_names

    text = (pathlib.Path(__file__).parents[2] / "docs" / "evosax.md").read_text()
    assert f"## Supported ({len(supported_names())})" in text
    assert f"## Not supported ({len(UNSUPPORTED)})" in text
    for name in supported_names():
        assert f"`{name}`" in text, name
    for name, reason in UNSUPPORTED.items():
        assert f"| `{name}` | {reason} |" in text, name
