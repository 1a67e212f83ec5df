"""Periodic checkpoints, and resuming a run killed with SIGKILL while checkpointing."""

from __future__ import annotations

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

CONFIG = {"pop_size": 20, "max_nodes": 8, "max_conns": 12, "seed": 7}


def _state(model):
    ts = model.train_state
    return [np.asarray(jax.random.key_data(ts.key))] + [
        np.asarray(x) for x in jax.tree_util.tree_leaves(ts)[1:]
    ]


def test_checkpoints_every_n_generations_keeping_the_newest(tmp_path):
    model = NEAT("FeedForward", "xor", **CONFIG)
    model.learn(5, callback=CheckpointCallback(2, str(tmp_path), max_to_keep=1))
    assert sorted(os.listdir(tmp_path)) == ["evotrain_model_4_generations"]
    (tmp_path / ".evotrain_model_9_generations.saving-x").mkdir()  # an interrupted save
    (tmp_path / "evotrain_model_8_generations").mkdir()  # no metadata: incomplete
    latest = latest_checkpoint(str(tmp_path))
    assert latest == str(tmp_path / "evotrain_model_4_generations")
    assert NEAT.load(latest).num_generations == 4
    assert latest_checkpoint(str(tmp_path / "none")) is None
    fresh = NEAT("FeedForward", "xor", **CONFIG)
    with pytest.raises(FileExistsError, match="up to generation 4, beyond this model's 0"):
        fresh.learn(1, callback=CheckpointCallback(1, str(tmp_path)))
    resumed = NEAT.load(latest)  # continuing the run writes after generation 4
    resumed.learn(
        2, callback=CheckpointCallback(1, str(tmp_path), max_to_keep=1), reset_num_generations=False
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
