"""evosax's strategies under the shell: every supported one learns, saves, loads and
continues bit-exactly on XOR; the named classes pass their hyperparameters through.

Kept small for 2 busy cores: one tiny config (XOR, a 4-unit hidden layer, pop 8), and the
fixed-network programs compiled with the shell's fast CPU options (``fast_compile``):
the checks compare runs with each other, not with a reference number.
"""

from __future__ import annotations

import json
import os

import jax
import numpy as np
import optax
import pytest

from evotrain import ARS, CMAES, PGPE, SNES, XNES, EvoSax, SepCMAES
from evotrain.algorithms import evosax_family
from evotrain.persistence.checkpoint import CheckpointError
from evotrain.strategies.evosax_catalog import UNSUPPORTED, supported_names

SMALL = {"pop_size": 8, "policy_kwargs": {"net_arch": [4]}, "seed": 5}
NAMED = (CMAES, SepCMAES, SNES, XNES, PGPE, ARS)


@pytest.fixture(scope="module", autouse=True)
def _fast_compile():
    """Fast CPU compile options, and every program in the persistent compilation cache
    (a loaded model's programs are then cache hits of the saved model's)."""
    min_time = jax.config.jax_persistent_cache_min_compile_time_secs
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    try:
        with pytest.MonkeyPatch.context() as mp:
            for cls in (*NAMED, EvoSax):
                mp.setattr(cls, "fast_compile", True)
            yield
    finally:
        jax.config.update("jax_persistent_cache_min_compile_time_secs", min_time)


def _leaves(model):
    return [
        np.asarray(
            jax.random.key_data(x) if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key) else x
        )
        for x in jax.tree_util.tree_leaves(model.train_state)
    ]


def _assert_same_run(got, want):
    assert got.num_generations == want.num_generations
    assert got.num_timesteps == want.num_timesteps
    assert len(got.history) == len(want.history)
    for g, w in zip(got.history, want.history, strict=True):
        np.testing.assert_array_equal(g["fitness"], w["fitness"])
        for field in ("fitness_max", "best_fitness", "strategy/sigma"):
            assert g.get(field) == w.get(field), field
    for g, w in zip(_leaves(got), _leaves(want), strict=True):
        np.testing.assert_array_equal(g, w)
    np.testing.assert_array_equal(np.asarray(got.policy_params), np.asarray(want.policy_params))


@pytest.mark.parametrize("name", supported_names())
def test_every_supported_strategy_learns_saves_loads_and_continues_bit_exactly(name, tmp_path):
    model = EvoSax("MlpPolicy", "xor", strategy_name=name, **SMALL)
    model.learn(2)
    path = model.save(tmp_path / "model")
    model.learn(1, reset_num_generations=False)  # the uninterrupted 3-generation run
    assert model.num_generations == 3
    for record in model.history:
        assert record["nonfinite"] == 0 and np.isfinite(record["fitness"]).all()
    params = np.asarray(model.policy_params)
    assert params.shape == (model.policy.num_params,) and np.isfinite(params).all()

    loaded = EvoSax.load(path)
    assert loaded.strategy.config == model.strategy.config
    loaded.learn(1, reset_num_generations=False)
    _assert_same_run(loaded, model)


def test_unsupported_strategies_are_refused_before_the_env_is_made():
    for name in UNSUPPORTED:
        with pytest.raises(ValueError, match="not supported"):
            EvoSax("MlpPolicy", "no-such-env", strategy_name=name)
    with pytest.raises(ValueError, match="Did you mean 'PSO'"):
        EvoSax("MlpPolicy", "no-such-env", strategy_name="PSOO")


def test_evosax_sorts_shell_and_strategy_keywords(tmp_path):
    model = EvoSax(
        "MlpPolicy",
        "xor",
        strategy_name="simple_ga",
        crossover_rate=0.5,  # a Params field
        std_schedule=optax.constant_schedule(0.2),  # a constructor keyword (not JSON)
        n_episodes=1,  # the shell's
        **SMALL,
    )
    assert model.strategy.config.name == "SimpleGA"
    assert float(model.strategy.default_params.crossover_rate) == 0.5
    assert float(model.train_state.strategy_state.inner.std) == pytest.approx(0.2)
    assert model.settings.strategy_options.keys() == {"crossover_rate", "std_schedule"}
    path = model.save(tmp_path / "m")
    with open(os.path.join(path, "evotrain.json"), encoding="utf-8") as f:
        meta = json.load(f)
    assert meta["kwargs"]["strategy_name"] == "simple_ga"
    assert meta["kwargs"]["crossover_rate"] == 0.5
    assert meta["kwargs_required_at_load"] == ["std_schedule"]
    with pytest.raises(CheckpointError, match="std_schedule=..."):
        EvoSax.load(path)
    loaded = EvoSax.load(path, std_schedule=optax.constant_schedule(0.2))
    assert loaded.strategy.config == model.strategy.config
    for g, w in zip(_leaves(loaded), _leaves(model), strict=True):
        np.testing.assert_array_equal(g, w)


def test_evosax_records_its_strategy_by_default_and_in_evosax_order(tmp_path):
    assert EvoSax("MlpPolicy", "xor", **SMALL).settings.record()[0]["strategy_name"] == "CMA_ES"
    ordered = EvoSax("SNES", "MlpPolicy", "xor", **{**SMALL, "seed": 3}).learn(2)
    keyword = EvoSax("MlpPolicy", "xor", strategy_name="SNES", **{**SMALL, "seed": 3}).learn(2)
    assert ordered.evosax_name == "SNES" and ordered.settings == keyword.settings
    for g, w in zip(_leaves(ordered), _leaves(keyword), strict=True):
        np.testing.assert_array_equal(g, w)
    assert EvoSax.load(ordered.save(tmp_path / "m")).evosax_name == "SNES"
    with pytest.raises(TypeError, match="got the strategy twice: 'SNES' first"):
        EvoSax("SNES", "MlpPolicy", "xor", strategy_name="PSO")
    with pytest.raises(TypeError, match="got 4 positional arguments"):
        EvoSax("SNES", "MlpPolicy", "xor", 3)


def test_evosax_refuses_keywords_nobody_takes():
    with pytest.raises(TypeError, match="'sigma'") as err:
        EvoSax("MlpPolicy", "xor", strategy_name="CMA_ES", sigma=0.3, **SMALL)
    message = str(err.value)
    assert "std_init" in message and "n_episodes" in message  # the strategy's and the shell's


def test_odd_population_for_an_antithetic_strategy_says_how_to_fix_it():
    with pytest.raises(ValueError, match="even pop_size such as 8"):
        PGPE("MlpPolicy", "xor", pop_size=7)


@pytest.mark.parametrize("cls", NAMED, ids=lambda c: c.__name__)
def test_named_classes_pass_their_hyperparameters_and_reload(cls, tmp_path):
    model = cls("MlpPolicy", "xor", sigma_init=0.3, zero_init=True, **SMALL)
    assert model.strategy.config.name == cls.strategy_name
    assert float(model.strategy.default_params.std_init) == pytest.approx(0.3)
    inner = model.train_state.strategy_state.inner
    np.testing.assert_allclose(np.asarray(inner.std), 0.3, rtol=1e-6)  # ARS: its schedule
    np.testing.assert_array_equal(np.asarray(model.policy_params), 0.0)  # zero_init
    loaded = cls.load(model.save(tmp_path / "m"))
    assert loaded.settings.sigma_init == 0.3 and loaded.settings.zero_init
    for g, w in zip(_leaves(loaded), _leaves(model), strict=True):
        np.testing.assert_array_equal(g, w)


def test_named_classes_map_learning_rates_to_evosax_optimizers():
    snes = SNES("MlpPolicy", "xor", learning_rate=0.5, lr_std=0.2, **SMALL)
    assert float(snes.strategy.default_params.lr_std_init) == pytest.approx(0.2)
    xnes = XNES("MlpPolicy", "xor", lr_B=0.05, **SMALL)
    assert float(xnes.strategy.default_params.lr_B) == pytest.approx(0.05)
    pgpe = PGPE("MlpPolicy", "xor", std_lr=0.3, std_max_change=0.1, **SMALL)
    params = pgpe.strategy.default_params
    assert (float(params.std_lr), float(params.std_max_change)) == pytest.approx((0.3, 0.1))
    with pytest.raises(ValueError, match="sigma_init must be a finite positive number"):
        CMAES("MlpPolicy", "xor", sigma_init=0.0)
    assert issubclass(CMAES, evosax_family.EvosaxFamily)
