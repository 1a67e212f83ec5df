"""save/load: round trips, exact resume, plain-Orbax readability and every refusal."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import jax
import numpy as np
import optax
import pytest

from evotrain import GA, NEAT, OpenES
from evotrain.persistence.checkpoint import CheckpointError
from tests.helpers import WAIT_FOR_GO, release_together

SMALL = {"pop_size": 8, "policy_kwargs": {"net_arch": [4]}, "max_episode_steps": 30}
NEAT_SMALL = {"pop_size": 20, "max_nodes": 8, "max_conns": 12}


def _leaves(model):
    ts = model.train_state
    key = jax.random.key_data(ts.key)
    return [np.asarray(key)] + [np.asarray(x) for x in jax.tree_util.tree_leaves(ts)[1:]]


def _same_state(a, b):
    la, lb = _leaves(a), _leaves(b)
    assert len(la) == len(lb)
    for x, y in zip(la, lb):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(
    "make",
    [
        lambda: OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=1, **SMALL),
        lambda: GA("MlpPolicy", "gymnax:CartPole-v1", seed=1, **SMALL),
        lambda: GA("MlpPolicy", "gymnax:CartPole-v1", encoding="seeds", seed=1, **SMALL),
        lambda: NEAT("FeedForward", "xor", seed=1, **NEAT_SMALL),
    ],
    ids=["OpenES", "GA", "GA-seeds", "NEAT"],
)
def test_save_load_continue_equals_an_uninterrupted_run(make, tmp_path):
    straight = make().learn(4)
    half = make().learn(2)
    path = half.save(tmp_path / "model")
    loaded = type(half).load(path)
    _same_state(loaded, half)
    assert loaded.num_generations == 2 and loaded.num_timesteps == half.num_timesteps
    loaded.learn(2, reset_num_generations=False)
    _same_state(loaded, straight)
    assert loaded.num_generations == 4 and loaded.num_timesteps == straight.num_timesteps
    assert len(loaded.history) == 4
    for got, want in zip(loaded.history, straight.history):
        np.testing.assert_array_equal(got["fitness"], want["fitness"])
        assert got["fitness_max"] == want["fitness_max"]


def test_loaded_model_predicts_like_the_saved_one(tmp_path):
    model = OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=4, **SMALL).learn(2)
    loaded = OpenES.load(model.save(tmp_path / "m"))
    obs = np.random.default_rng(0).normal(size=(16, 4)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(obs)[0], model.predict(obs)[0])
    np.testing.assert_array_equal(
        loaded.predict(obs, deterministic=False)[0], model.predict(obs, deterministic=False)[0]
    )


def test_plain_orbax_restores_the_arrays_without_evotrain(tmp_path):
    model = OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=2, **SMALL).learn(1)
    path = model.save(tmp_path / "m")
    script = (
        "import sys, numpy as np, orbax.checkpoint as ocp\n"
        f"tree = ocp.StandardCheckpointer().restore({os.path.join(path, 'state')!r})\n"
        "assert not any(m.startswith('evotrain') for m in sys.modules)\n"
        "ts = tree['train_state']\n"
        f"np.save({str(tmp_path / 'mean.npy')!r}, np.asarray(ts['strategy_state']['mean']))\n"
        f"np.save({str(tmp_path / 'key.npy')!r}, np.asarray(ts['key']))\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path)
    np.testing.assert_array_equal(
        np.load(tmp_path / "mean.npy"), np.asarray(model.train_state.strategy_state.mean)
    )
    np.testing.assert_array_equal(
        np.load(tmp_path / "key.npy"), np.asarray(jax.random.key_data(model.train_state.key))
    )
    meta = json.load(open(os.path.join(path, "evotrain.json")))
    assert meta["algorithm"] == "OpenES" and meta["versions"]["jax"] == jax.__version__


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    model = OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=3, **SMALL).learn(1)
    return model, model.save(tmp_path_factory.mktemp("saved") / "model")


def _copy(saved_path, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(saved_path, dst)
    return dst


def test_save_never_overwrites_silently(saved, tmp_path):
    model, path = saved
    with pytest.raises(FileExistsError, match="overwrite=True"):
        model.save(path)
    before = os.path.getmtime(os.path.join(path, "evotrain.json"))
    model.save(path, overwrite=True)
    assert os.path.getmtime(os.path.join(path, "evotrain.json")) >= before
    other = tmp_path / "photos"
    other.mkdir()
    (other / "cat.jpg").write_text("not a model")
    with pytest.raises(FileExistsError, match="not a saved evotrain model"):
        model.save(other, overwrite=True)
    assert (other / "cat.jpg").read_text() == "not a model"
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]  # no leftovers


def test_overwrite_refuses_a_model_folder_holding_files_no_save_wrote(saved, tmp_path):
    model, path = saved
    mine = _copy(path, tmp_path)
    (mine / "notes.txt").write_text("my notes")
    (mine / "plots").mkdir()
    (mine / "plots" / "curve.png").write_bytes(b"png")
    before = {p: p.read_bytes() for p in mine.rglob("*") if p.is_file()}
    with pytest.raises(FileExistsError, match=r"no save wrote \(notes.txt, plots/curve.png\)"):
        model.save(mine, overwrite=True)
    assert {p: p.read_bytes() for p in mine.rglob("*") if p.is_file()} == before
    (mine / "notes.txt").unlink()
    shutil.rmtree(mine / "plots")
    model.save(mine, overwrite=True)  # only the model's own files: replaced
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]


def test_symbolic_links_and_paths_below_files_get_a_clear_error(saved, tmp_path):
    model, path = saved
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(
        FileExistsError, match=r"dangling: it is a symbolic link to .*does not exist"
    ):
        model.save(dangling)
    to_model = tmp_path / "link-to-model"
    to_model.symlink_to(path)
    with pytest.raises(FileExistsError, match="symbolic link"):
        model.save(to_model, overwrite=True)
    assert os.path.islink(to_model) and os.path.isfile(os.path.join(path, "evotrain.json"))
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(NotADirectoryError, match=r"a-file is a file, not a folder"):
        model.save(tmp_path / "a-file" / "sub" / "model")
    with pytest.raises(FileExistsError, match="it exists and is a file"):
        model.save(tmp_path / "a-file", overwrite=True)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]


CONCURRENT_SAVE_CHILD = (
    WAIT_FOR_GO
    + """
import sys
from evotrain import OpenES
model = OpenES("MlpPolicy", "xor", seed=int(sys.argv[1]), pop_size=8, policy_kwargs={"net_arch": [4]})
wait_for_go(sys.argv[3])
try:
    model.save(sys.argv[2])
except FileExistsError as err:
    print("REFUSED", err)
    sys.exit(3)
"""
)


def test_of_two_processes_saving_to_one_new_path_exactly_one_wins(tmp_path):
    target = tmp_path / "model"
    for attempt in range(2):  # each attempt starts both saves at one instant
        sync = tmp_path / f"sync{attempt}"
        sync.mkdir()
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", CONCURRENT_SAVE_CHILD, str(s), str(target), str(sync)],
                stdout=subprocess.PIPE,
                text=True,
            )
            for s in (1, 2)
        ]
        release_together(procs, sync)
        outs = [p.communicate(timeout=120)[0] for p in procs]
        assert sorted(p.returncode for p in procs) == [0, 3], outs
        refused = next(o for o in outs if "REFUSED" in o)
        assert "model" in refused and (
            "another process created it first" in refused or "already exists" in refused
        )
        winner = 1 + [p.returncode for p in procs].index(0)
        assert OpenES.load(target).seed == winner  # the winner's model, whole
        shutil.rmtree(target)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]


def test_load_refusals(saved, tmp_path):
    model, path = saved
    with pytest.raises(FileNotFoundError, match="No saved model"):
        OpenES.load(tmp_path / "nowhere")
    with pytest.raises(CheckpointError, match="not a saved evotrain model"):
        OpenES.load(tmp_path)
    with pytest.raises(CheckpointError, match="saved by OpenES, not GA; load it with OpenES.load"):
        GA.load(path)
    with pytest.raises(CheckpointError, match="does not match the saved model's env"):
        OpenES.load(path, env="gymnax:Acrobot-v1")

    newer = _copy(path, tmp_path / "newer")
    meta = json.load(open(newer / "evotrain.json"))
    meta["format_version"] = 99
    json.dump(meta, open(newer / "evotrain.json", "w"))
    with pytest.raises(CheckpointError, match="format version 99.*Upgrade evotrain"):
        OpenES.load(newer)

    garbled = _copy(path, tmp_path / "garbled")
    (garbled / "evotrain.json").write_text('{"format": "evotrain-mod')
    with pytest.raises(CheckpointError, match="corrupted"):
        OpenES.load(garbled)

    truncated = _copy(path, tmp_path / "truncated")
    for root, _, files in os.walk(truncated / "state"):
        for name in files:
            full = os.path.join(root, name)
            with open(full, "r+b") as f:
                f.truncate(os.path.getsize(full) // 2)
    with pytest.raises(CheckpointError, match="corrupted or incomplete"):
        OpenES.load(truncated)


def test_objects_that_cannot_be_stored_must_be_given_at_load(tmp_path):
    model = OpenES(
        "MlpPolicy", "gymnax:CartPole-v1", seed=0, optimizer=optax.sgd(0.1), **SMALL
    ).learn(1)
    path = model.save(tmp_path / "m")
    with pytest.raises(CheckpointError, match=r"pass optimizer=\.\.\. to OpenES.load"):
        OpenES.load(path)
    loaded = OpenES.load(path, optimizer=optax.sgd(0.1))
    _same_state(loaded, model)


RESUME_CHILD = """
import sys, numpy as np, jax
from evotrain import GA, NEAT, OpenES
cls = {"OpenES": OpenES, "GA": GA, "NEAT": NEAT}[sys.argv[1]]
model = cls.load(sys.argv[2])
model.learn(2, reset_num_generations=False)
ts = model.train_state
leaves = [np.asarray(jax.random.key_data(ts.key))]
leaves += [np.asarray(x) for x in jax.tree_util.tree_leaves(ts)[1:]]
np.savez(sys.argv[3], *leaves, fitness=np.stack([h["fitness"] for h in model.history]))
"""


@pytest.mark.parametrize("name", ["OpenES", "GA", "NEAT"])
def test_resume_in_a_new_process_is_bit_exact(name, tmp_path):
    make = {
        "OpenES": lambda: OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=9, **SMALL),
        "GA": lambda: GA("MlpPolicy", "gymnax:CartPole-v1", seed=9, **SMALL),
        "NEAT": lambda: NEAT("FeedForward", "xor", seed=9, **NEAT_SMALL),
    }[name]
    path = make().learn(2).save(tmp_path / "half")
    out = tmp_path / "resumed.npz"
    # The child inherits the compilation cache folder conftest put in the environment.
    subprocess.run([sys.executable, "-c", RESUME_CHILD, name, path, str(out)], check=True)
    straight = make().learn(4)
    got = np.load(out)
    want = _leaves(straight)
    assert len(got.files) == len(want) + 1
    for i, x in enumerate(want):
        np.testing.assert_array_equal(got[f"arr_{i}"], x)
    np.testing.assert_array_equal(
        got["fitness"], np.stack([h["fitness"] for h in straight.history])
    )


def test_metadata_records_the_sha256_of_every_file_and_its_own(saved):
    from evotrain.persistence.checkpoint import FORMAT_VERSION, read_metadata
    from evotrain.persistence.integrity import file_hashes, seal_problem

    _, path = saved
    meta = read_metadata(path)
    assert meta["format_version"] == FORMAT_VERSION == 2
    assert meta["files"] == file_hashes(path, exclude={"evotrain.json"})
    assert "history.json" in meta["files"] and any(f.startswith("state/") for f in meta["files"])
    raw = open(os.path.join(path, "evotrain.json"), "rb").read()
    assert seal_problem(raw, json.loads(raw)) is None
