"""Periodic checkpoints, and resuming a run killed with SIGKILL while checkpointing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import jax
import numpy as np
import pytest

from evotrain import NEAT
from evotrain.callbacks import CheckpointCallback, latest_checkpoint
from tests.helpers import WAIT_FOR_GO, release_together

CONFIG = {"pop_size": 20, "max_nodes": 8, "max_conns": 12, "seed": 7}


def _state(model):
    ts = model.train_state
    return [np.asarray(jax.random.key_data(ts.key))] + [
        np.asarray(x) for x in jax.tree_util.tree_leaves(ts)[1:]
    ]


def _visible(folder):
    return [p for p in os.listdir(folder) if not p.startswith(".")]


def _tree(folder):
    """Every file under ``folder`` with its bytes (what a run must never replace)."""
    out = {}
    for root, _, names in os.walk(folder):
        for name in names:
            if not name.startswith(".evotrain-run"):
                full = os.path.join(root, name)
                out[os.path.relpath(full, folder)] = open(full, "rb").read()
    return out


def test_checkpoints_every_n_generations_keeping_the_newest(tmp_path):
    model = NEAT("FeedForward", "xor", **CONFIG)
    model.learn(5, callback=CheckpointCallback(2, str(tmp_path), max_to_keep=1))
    assert sorted(_visible(tmp_path)) == ["evotrain_model_4_generations"]
    (tmp_path / ".evotrain_model_9_generations.saving-x").mkdir()  # an interrupted save
    (tmp_path / "evotrain_model_8_generations").mkdir()  # no metadata: incomplete
    latest = latest_checkpoint(str(tmp_path))
    assert latest == str(tmp_path / "evotrain_model_4_generations")
    assert NEAT.load(latest).num_generations == 4
    assert latest_checkpoint(str(tmp_path / "none")) is None
    fresh = NEAT("FeedForward", "xor", **CONFIG)
    with pytest.raises(FileExistsError, match="up to generation 4, beyond this model's 0"):
        fresh.learn(1, callback=CheckpointCallback(1, str(tmp_path), resume=True))
    resumed = NEAT.load(latest)  # continuing the run writes after generation 4
    resumed.learn(
        2,
        callback=CheckpointCallback(1, str(tmp_path), max_to_keep=1, resume=True),
        reset_num_generations=False,
    )
    assert sorted(p for p in os.listdir(tmp_path) if p.endswith("generations")) == [
        "evotrain_model_4_generations",  # not this callback's: kept
        "evotrain_model_6_generations",
        "evotrain_model_8_generations",  # the incomplete folder made above
    ]
    with pytest.raises(ValueError, match="save_freq must be a positive integer"):
        CheckpointCallback(0, str(tmp_path))
    with pytest.raises(ValueError, match="name_prefix must be a plain"):
        CheckpointCallback(1, str(tmp_path), name_prefix=".hidden")


def test_a_run_killed_while_checkpointing_resumes_exactly(tmp_path):
    script = textwrap.dedent(
        f"""
        from evotrain import NEAT
        from evotrain.callbacks import CheckpointCallback
        model = NEAT("FeedForward", "xor", **{CONFIG!r})
        model.learn(100000, callback=CheckpointCallback(1, {str(tmp_path)!r}, max_to_keep=3))
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script])  # inherits the cache folder
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            latest = latest_checkpoint(str(tmp_path))
            if latest is not None and int(latest.rsplit("_", 2)[-2]) >= 4:
                break
            assert proc.poll() is None, "the training process ended early"
            time.sleep(0.05)
        else:
            pytest.fail("no checkpoint beyond generation 4 within 240 s")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    latest = latest_checkpoint(str(tmp_path))
    resumed = NEAT.load(latest)
    done = resumed.num_generations
    assert done >= 4
    resumed.learn(3, reset_num_generations=False)
    straight = NEAT("FeedForward", "xor", **CONFIG).learn(done + 3)
    for a, b in zip(_state(resumed), _state(straight)):
        np.testing.assert_array_equal(a, b)
    assert [h["fitness_max"] for h in resumed.history] == [
        h["fitness_max"] for h in straight.history
    ]


def test_a_second_run_in_a_checkpoint_folder_is_refused_and_replaces_nothing(tmp_path):
    first = NEAT("FeedForward", "xor", **CONFIG)
    first.learn(2, callback=CheckpointCallback(1, str(tmp_path)))
    before = _tree(tmp_path)
    assert sorted(_visible(tmp_path)) == [f"evotrain_model_{g}_generations" for g in (1, 2)]
    # The same model continuing is the same run: its folder stays its own.
    first.learn(1, callback=CheckpointCallback(1, str(tmp_path)), reset_num_generations=False)
    before = _tree(tmp_path)
    second = NEAT("FeedForward", "xor", **{**CONFIG, "seed": 8})
    with pytest.raises(
        FileExistsError, match=rf"belongs to run {first.run_id} \(NEAT.*resume=True"
    ):
        second.learn(2, callback=CheckpointCallback(1, str(tmp_path)))
    assert _tree(tmp_path) == before  # nothing replaced, nothing added
    assert second.num_generations == 0


def test_a_run_still_training_in_the_folder_refuses_even_a_resume(tmp_path):
    from evotrain.persistence.run_folder import RunFolderInUseError, claim

    lock = claim(str(tmp_path), "otherrun", "OpenES", False, "test")  # a run training there
    try:
        model = NEAT("FeedForward", "xor", **CONFIG)
        with pytest.raises(RunFolderInUseError, match="run otherrun .*still training there"):
            model.learn(1, callback=CheckpointCallback(1, str(tmp_path), resume=True))
    finally:
        lock.close()
    assert _visible(tmp_path) == []


def test_resuming_into_the_folder_continues_the_numbering(tmp_path):
    NEAT("FeedForward", "xor", **CONFIG).learn(2, callback=CheckpointCallback(1, str(tmp_path)))
    before = _tree(tmp_path)
    resumed = NEAT.load(latest_checkpoint(str(tmp_path)))
    resumed.learn(
        2,
        callback=CheckpointCallback(1, str(tmp_path), resume=True),
        reset_num_generations=False,
    )
    assert sorted(_visible(tmp_path)) == [f"evotrain_model_{g}_generations" for g in (1, 2, 3, 4)]
    after = _tree(tmp_path)
    assert {k: after[k] for k in before} == before  # the first run's checkpoints untouched
    owner = json.load(open(tmp_path / ".evotrain-run.json"))
    assert owner["run_id"] == resumed.run_id and owner["resumed_from"] != resumed.run_id
    straight = NEAT("FeedForward", "xor", **CONFIG).learn(4)
    for a, b in zip(_state(NEAT.load(latest_checkpoint(str(tmp_path)))), _state(straight)):
        np.testing.assert_array_equal(a, b)


TWO_RUNS_CHILD = (
    WAIT_FOR_GO
    + """
import sys
from evotrain import NEAT
from evotrain.callbacks import CheckpointCallback
config, folder, sync = eval(sys.argv[1]), sys.argv[2], sys.argv[3]
model = NEAT("FeedForward", "xor", **config)
wait_for_go(sync)
try:
    model.learn(3, callback=CheckpointCallback(1, folder))
except FileExistsError as err:
    print("REFUSED", err)
    sys.exit(3)
"""
)


def test_two_runs_started_together_in_one_folder_one_trains_the_other_is_refused(tmp_path):
    folder, sync = tmp_path / "runs", tmp_path / "sync"
    folder.mkdir()
    sync.mkdir()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                TWO_RUNS_CHILD,
                repr({**CONFIG, "seed": s}),
                str(folder),
                str(sync),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for s in (1, 2)
    ]
    release_together(procs, sync)
    outs = [p.communicate(timeout=240)[0] for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 3], outs
    assert any("REFUSED" in o and "belongs to run" in o for o in outs)
    assert sorted(_visible(folder)) == [f"evotrain_model_{g}_generations" for g in (1, 2, 3)]
    seeds = {NEAT.load(folder / p).seed for p in _visible(folder)}
    assert len(seeds) == 1  # every checkpoint is the winning run's
