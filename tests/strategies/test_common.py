"""Contract tests every strategy must pass (evosax-style run / run-scan, jit, traces).

Each strategy runs on its own fitness (see ``conftest.StrategyCase``): the sphere for
OpenES and GA, a tiny function-fitting task for NEAT. A case's jitted generation is shared
by this module's tests, so it compiles once per case.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.evaluation.result import Evaluation
from evotrain.strategies import Strategy
from tests.strategies.conftest import assert_trees_equal, strong


def test_satisfies_the_protocol(case):
    assert isinstance(case.strategy, Strategy)


def test_learns_in_a_python_loop(case, key):
    state = case.initial_state(key)
    best = []
    for k in jax.random.split(key, case.generations):
        state, b = case.jit_generation(state, k)
        best.append(float(b))
    assert np.isfinite(best[-1]) and best[-1] > best[0]
    case.assert_learned(case, state, best)


def test_scan_matches_loop(case, key):
    init = case.initial_state(key)
    keys = jax.random.split(key, 5)
    scanned, best_scan = jax.jit(lambda s: jax.lax.scan(case.generation, s, keys))(init)
    state = init
    for i, k in enumerate(keys):
        state, b = case.jit_generation(state, k)
        assert float(b) == float(best_scan[i])
    assert_trees_equal(state, scanned, rtol=1e-6, atol=1e-6)


def test_same_key_same_state_and_jit_matches_eager(case, key):
    params = case.strategy.default_params
    init = case.jit_init(key, params)
    assert_trees_equal(init, case.jit_init(key, params))
    eager_init = case.strategy.init(key, params)
    assert_trees_equal(eager_init, init, rtol=1e-5, atol=1e-6)
    s1, _ = case.generation(eager_init, key)
    s2, _ = case.jit_generation(strong(eager_init), key)
    assert_trees_equal(s1, s2, rtol=1e-5, atol=1e-6)
    s3, _ = case.jit_generation(strong(init), key)
    s4, _ = case.jit_generation(case.initial_state(key), key)
    assert_trees_equal(s3, s4)


def test_one_trace_across_generations(case, key):
    state = case.initial_state(key)
    for k in jax.random.split(key, 4):
        state, _ = case.jit_generation(state, k)
    # The step is shared by this module's tests: every call so far reused the first trace.
    assert len(case.traces) == 1


def _type(x):
    return f"{'weak ' if x.weak_type else ''}{x.dtype}{list(x.shape)}"


def test_init_state_has_the_types_of_later_states(case, key):
    """Else a jitted generation fed init's state traces (and compiles) twice."""
    init = jax.eval_shape(case.strategy.init, key, case.strategy.default_params)
    after, _ = jax.eval_shape(case.generation, init, key)
    assert jax.tree_util.tree_structure(init) == jax.tree_util.tree_structure(after)
    leaves, _ = jax.tree_util.tree_flatten_with_path(init)
    mismatched = {
        jax.tree_util.keystr(path): f"{_type(a)} -> {_type(b)}"
        for (path, a), b in zip(leaves, jax.tree_util.tree_leaves(after), strict=True)
        if (a.shape, a.dtype, a.weak_type) != (b.shape, b.dtype, b.weak_type)
    }
    assert not mismatched, f"init's state types change after one generation: {mismatched}"


def test_population_shape(case, key):
    params = case.strategy.default_params
    state = jax.eval_shape(case.strategy.init, key, params)
    population, _ = jax.eval_shape(case.strategy.ask, key, state, params)
    shapes = jax.tree_util.tree_map(lambda x: x.shape, population)
    assert shapes == case.population_shapes


def test_tell_reads_an_evaluation_or_a_bare_fitness_alike(case, key):
    """``tell`` takes the population's Evaluation (what the training step passes, here
    with descriptors and env steps it may ignore) or the bare fitness (the ask/tell API's
    shorthand); both give the same state. A quality-diversity strategy, which places
    individuals by their descriptors, refuses a bare fitness."""
    params = case.strategy.default_params
    state = case.initial_state(key)
    ask_key, tell_key = jax.random.split(key)
    population, asked = case.strategy.ask(ask_key, state, params)
    fitness = case.jit_fitness(population)
    if isinstance(fitness, Evaluation):  # quality-diversity: descriptors are its input
        with pytest.raises(ValueError, match="behaviour descriptor"):
            case.strategy.tell(tell_key, population, fitness.fitness, asked, params)
        return
    n = fitness.shape[0]
    record = Evaluation(
        fitness=fitness,
        env_steps=jnp.asarray(7 * n, jnp.int32),
        episode_length_max=jnp.asarray(7, jnp.int32),
        descriptors=jnp.linspace(0.0, 1.0, 2 * n).reshape(n, 2),
    )
    bare, _ = case.strategy.tell(tell_key, population, fitness, asked, params)
    told, _ = case.strategy.tell(tell_key, population, record, asked, params)
    assert_trees_equal(bare, told)
