"""MAP-Elites and CMA-ME behind the shell: the archive fills by the env's descriptor,
every elite sits in its own cell, saves resume bit-exactly, generations per dispatch
change nothing, and ``predict`` acts with the fittest or the selected elite."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from evotrain.algorithms.map_elites import MAPElites
from evotrain.qd import CVTLayout, GridLayout

ENV = "gymnax:MountainCar-v0"  # final_obs: (position, velocity), bounded by the env
SMALL = {
    "pop_size": 16,
    "descriptor": "final_obs",
    "bins": (6, 5),
    "policy_kwargs": {"net_arch": [4]},
    "max_episode_steps": 40,
    "seed": 3,
}


def _leaves(model):
    return [np.asarray(x) for x in jax.tree_util.tree_leaves(model.train_state)[1:]]


@pytest.fixture(scope="module")
def trained():
    return MAPElites("MlpPolicy", ENV, **SMALL).learn(4)


def test_the_archive_fills_and_each_elite_sits_in_its_own_cell(trained):
    archive, layout = trained.archive, trained.layout
    assert isinstance(layout, GridLayout) and layout.bins == (6, 5)
    # The env's bounds (float32 in gymnax's space).
    np.testing.assert_allclose(layout.low + layout.high, (-1.2, -0.07, 0.6, 0.07), rtol=1e-6)
    filled = np.asarray(archive.filled)
    assert 1 < filled.sum() <= 30
    cells = np.asarray(layout.index(archive.descriptors, archive.centroids))
    np.testing.assert_array_equal(cells[filled], np.flatnonzero(filled))
    record = trained.history[-1]
    fitness = np.asarray(archive.fitness)[filled]
    assert record["strategy/coverage"] == pytest.approx(filled.mean())
    assert record["strategy/qd_score"] == pytest.approx(fitness.sum(), rel=1e-6)
    assert record["strategy/archive_max"] == pytest.approx(fitness.max())
    assert sum(h["strategy/added"] for h in trained.history) >= filled.sum()
    # predict acts with the fittest elite; select picks the nearest behaviour.
    best = int(np.argmax(np.asarray(archive.fitness)))
    np.testing.assert_array_equal(np.asarray(trained.policy_params), trained.elite(best)["params"])
    obs = np.zeros((3, 2), np.float32)
    target = np.asarray(archive.descriptors)[filled][0]
    chosen = trained.select(target)
    assert chosen is trained
    cell = int(np.flatnonzero(filled)[0])
    np.testing.assert_array_equal(np.asarray(trained.policy_params), trained.elite(cell)["params"])
    trained.predict(obs)
    trained.select(None)
    np.testing.assert_array_equal(np.asarray(trained.policy_params), trained.elite(best)["params"])
    empty = int(np.flatnonzero(~filled)[0])
    with pytest.raises(KeyError, match=f"cell {empty} holds no elite"):
        trained.elite(empty)


def test_save_resume_and_dispatch_sizes_give_the_uninterrupted_archive(trained, tmp_path):
    resumed = MAPElites("MlpPolicy", ENV, **SMALL).learn(2)
    loaded = MAPElites.load(resumed.save(tmp_path / "m"))
    loaded.learn(2, reset_num_generations=False, generations_per_dispatch=1)
    for got, want in zip(_leaves(loaded), _leaves(trained), strict=True):
        np.testing.assert_array_equal(got, want)
    assert loaded.num_generations == 4 and loaded.layout == trained.layout


def test_a_cvt_archive_keeps_its_centroids_and_bad_settings_are_refused():
    model = MAPElites("MlpPolicy", ENV, **{**SMALL, "bins": None, "cells": 12})
    assert isinstance(model.layout, CVTLayout) and model.archive.centroids.shape == (12, 2)
    np.testing.assert_array_equal(np.asarray(model.archive.centroids), model.layout.centroids())
    assert MAPElites("MlpPolicy", ENV, pop_size=8).eval_config.descriptor == "final_obs"
    with pytest.raises(ValueError, match="has no descriptor 'feet'.*'final_obs'"):
        MAPElites("MlpPolicy", ENV, pop_size=8, descriptor="feet")
    with pytest.raises(ValueError, match="cannot use obs_normalization=True"):
        MAPElites("MlpPolicy", ENV, **{**SMALL, "obs_normalization": True})
    with pytest.raises(ValueError, match="bins .* or cells .*, not both"):
        MAPElites("MlpPolicy", ENV, **{**SMALL, "cells": 12})
    with pytest.raises(ValueError, match="iso_sigma must be >= 0"):
        MAPElites("MlpPolicy", ENV, **{**SMALL, "iso_sigma": -1.0})
    with pytest.raises(ValueError, match="more than .* cells=N for a CVT archive"):
        MAPElites("MlpPolicy", ENV, **{**SMALL, "bins": (4096, 4096)})


def test_a_load_bounds_the_archive_it_would_allocate(trained, tmp_path):
    import json
    from pathlib import Path

    from evotrain.persistence.validate import validate_settings

    meta = json.loads((Path(trained.save(tmp_path / "m")) / "evotrain.json").read_text())
    assert validate_settings(meta, MAPElites.settings_type) is None
    # 2**20 cells of 3,075 parameters: over the bound, where the batch alone is not.
    wide = {**meta["kwargs"], "bins": [1024, 1024], "policy_kwargs": {"net_arch": [512]}}
    assert (
        validate_settings({**meta, "kwargs": {**wide, "bins": [2, 2]}}, MAPElites.settings_type)
        is None
    )
    huge = {**meta, "kwargs": wide}
    problem = validate_settings(huge, MAPElites.settings_type)
    assert "pop_size plus the archive's cells times the size of one individual" in problem


def test_the_archive_is_drawn_and_written_as_a_table(trained, tmp_path):
    import csv

    from PIL import Image

    from evotrain.qd import CVTLayout, empty_archive, insert
    from evotrain.viz import archive_rows, plot_archive, write_archive_csv

    png = plot_archive(trained, tmp_path / "archive.png")
    pixels = np.asarray(Image.open(png).convert("RGB"))
    assert pixels.shape[0] > 100 and len(np.unique(pixels.reshape(-1, 3), axis=0)) > 20
    with pytest.raises(FileExistsError):
        plot_archive(trained, png)
    rows = archive_rows(trained.archive)
    filled = np.asarray(trained.archive.filled)
    assert rows["cell"] == np.flatnonzero(filled).tolist()
    assert set(rows) == {"cell", "fitness", "descriptor_0", "descriptor_1"}
    with open(write_archive_csv(trained.archive, tmp_path / "a.csv"), encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert len(table) == filled.sum()
    assert float(table[0]["fitness"]) == pytest.approx(rows["fitness"][0])
    # A 3-D grid is projected, a CVT archive scattered, a 1-D grid a strip.
    for layout in (
        CVTLayout(20, (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), samples=500, iterations=5),
        GridLayout((4, 3, 2), (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)),
        GridLayout((7,), (0.0,), (1.0,)),
    ):
        d = np.random.default_rng(0).uniform(0, 1, (30, layout.dims)).astype(np.float32)
        archive, _ = insert(empty_archive(layout, np.zeros(())), layout, np.zeros(30), -d.sum(1), d)
        out = plot_archive(
            archive,
            tmp_path / f"{type(layout).__name__}{layout.dims}.png",
            layout=layout,
            dims=(2, 0) if layout.dims == 3 else (0, 1),
        )
        assert out.stat().st_size > 1000
    with pytest.raises(ValueError, match="dims must be two different dimensions"):
        plot_archive(trained, tmp_path / "x.png", dims=(0, 0))


def test_function_fitting_describes_by_outputs_or_by_a_descriptor_of_your_own():
    from evotrain.envs import FunctionFit
    from evotrain.envs.descriptors import Descriptor
    from evotrain.envs.function_fit import XOR_INPUTS, XOR_TARGETS

    small = {"pop_size": 8, "policy_kwargs": {"net_arch": [3]}, "seed": 0}
    model = MAPElites("MlpPolicy", "xor", **small).learn(3)
    assert model.eval_config.descriptor == "outputs"  # the only one xor declares
    assert model.layout.bins == (10, 10, 10, 10) and model.layout.low == (0.0,) * 4
    archive = model.archive
    filled = np.asarray(archive.filled)
    assert filled.sum() >= 1
    # An elite's descriptor is what its network outputs on the four cases.
    cell = int(np.flatnonzero(filled)[0])
    outputs = model.select(archive.descriptors[cell]).predict(XOR_INPUTS)[0]
    np.testing.assert_allclose(
        outputs.reshape(-1), np.asarray(archive.descriptors[cell]), atol=1e-5
    )
    spread = Descriptor(
        "spread", 1, feature=lambda out: out.std(keepdims=True).reshape(1), low=(0.0,), high=(1.0,)
    )
    env = FunctionFit(XOR_INPUTS, XOR_TARGETS, name="xor2", descriptors={"spread": spread})
    with pytest.raises(ValueError, match="needs descriptor=.*declares 'outputs', 'spread'"):
        MAPElites("MlpPolicy", env, **small)
    mine = MAPElites("MlpPolicy", env, descriptor="spread", bins=(5,), **small).learn(2)
    assert mine.archive.descriptors.shape == (5, 1) and bool(mine.archive.filled.any())


@pytest.mark.parametrize(
    "learning_rate, threshold_min, emitters", [(1.0, None, 1), (0.5, -200.0, 2)]
)
def test_cma_me_and_cma_mae_behind_the_shell_resume_bit_exactly(
    learning_rate, threshold_min, emitters, tmp_path
):
    from evotrain import CMAME

    settings = {
        **SMALL,
        "archive_learning_rate": learning_rate,
        "threshold_min": threshold_min,
        "sigma0": 0.3,
        "qd_offset": -200.0,
        "emitters": emitters,
    }
    whole = CMAME("MlpPolicy", ENV, **settings).learn(4)
    assert whole.eval_config.descriptor == "final_obs" and whole.layout.bins == (6, 5)
    assert bool(whole.archive.filled.any())
    record = whole.history[-1]
    assert record["strategy/qd_score"] > 0 and "strategy/restarts" in record
    half = CMAME.load(CMAME("MlpPolicy", ENV, **settings).learn(2).save(tmp_path / "m"))
    half.learn(2, reset_num_generations=False)
    for got, want in zip(_leaves(half), _leaves(whole), strict=True):
        np.testing.assert_array_equal(got, want)
    assert whole.train_state.strategy_state.es.inner.mean.shape[0] == emitters
    with pytest.raises(ValueError, match="needs a finite threshold_min"):
        CMAME("MlpPolicy", ENV, **{**settings, "archive_learning_rate": 0.5, "threshold_min": None})
    with pytest.raises(ValueError, match="3 emitters cannot share a batch of pop_size=16"):
        CMAME("MlpPolicy", ENV, **{**settings, "emitters": 3})


def test_me_es_behind_the_shell_alternates_runs_and_resumes_bit_exactly(tmp_path):
    from evotrain import MEES

    settings = {**SMALL, "sigma": 0.1, "run_length": 2, "novelty_k": 3, "qd_offset": -200.0}
    whole = MEES("MlpPolicy", ENV, **settings).learn(6)
    assert whole.eval_config.descriptor == "final_obs" and bool(whole.archive.filled.any())
    # Two steps per run: exploit, exploit, explore, explore, exploit, exploit.
    assert [h["strategy/explore"] for h in whole.history] == [0, 0, 1, 1, 0, 0]
    assert whole.history[-1]["strategy/qd_score"] > 0
    half = MEES.load(MEES("MlpPolicy", ENV, **settings).learn(3).save(tmp_path / "m"))
    half.learn(3, reset_num_generations=False)
    for got, want in zip(_leaves(half), _leaves(whole), strict=True):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="antithetic pairs: pop_size must be even, got 15"):
        MEES("MlpPolicy", ENV, **{**settings, "pop_size": 15})
    with pytest.raises(ValueError, match="run_length"):
        MEES("MlpPolicy", ENV, **{**settings, "run_length": 0})


def test_map_elites_over_neat_genomes_grows_topologies_and_resumes_bit_exactly(tmp_path):
    from evotrain import NEATMAPElites
    from evotrain.neat.capacity import rows_used

    settings = {
        "pop_size": 32,
        "bins": (6, 5),
        "max_episode_steps": 40,
        "max_nodes": 20,
        "max_conns": 40,
        "node_add": 0.3,
        "conn_add": 0.5,
        "crossover_rate": 0.5,
        "seed": 2,
    }
    whole = NEATMAPElites("FeedForward", ENV, **settings).learn(6)
    assert whole.strategy.config.crossover_rate == 0.5
    archive = whole.archive
    filled = np.asarray(archive.filled)
    assert filled.sum() > 1
    cells = np.asarray(whole.layout.index(archive.descriptors, archive.centroids))
    np.testing.assert_array_equal(cells[filled], np.flatnonzero(filled))
    # Empty cells hold no rows; the elites grew past the minimal genome (5 nodes, 6 conns).
    empty = np.flatnonzero(~filled)[0]
    assert np.isnan(whole.elite(int(np.flatnonzero(filled)[0]))["params"].nodes[:, 0]).sum() > 0
    nodes, conns = (int(x) for x in rows_used(archive.genotypes))
    assert nodes > 5 or conns > 6
    with pytest.raises(KeyError):
        whole.elite(int(empty))
    # The model acts with the fittest elite, and exports that genome.
    best = int(np.argmax(np.asarray(archive.fitness)))
    assert whole.best_genome["fitness"] == pytest.approx(float(archive.fitness[best]))
    assert whole.history[-1]["strategy/qd_score"] == pytest.approx(
        float(np.asarray(archive.fitness)[filled].sum()), rel=1e-6
    )
    half = NEATMAPElites("FeedForward", ENV, **settings).learn(3)
    loaded = NEATMAPElites.load(half.save(tmp_path / "m"))
    loaded.learn(3, reset_num_generations=False, generations_per_dispatch=1)
    for got, want in zip(_leaves(loaded), _leaves(whole), strict=True):
        np.testing.assert_array_equal(got, want)
