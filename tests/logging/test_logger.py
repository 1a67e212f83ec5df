"""The logger and its writers, alone and under ``learn``; TensorBoard files are read back
with TensorBoard's own event reader."""

from __future__ import annotations

import csv
import json
import os

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from evotrain import NEAT, OpenES
from evotrain.logging import Logger, configure, run_folder

SMALL = {"pop_size": 8, "policy_kwargs": {"net_arch": [4]}, "max_episode_steps": 30}


def _csv_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_record_dump_to_csv_json_and_stdout_with_exclusions(tmp_path, capsys):
    logger = configure(str(tmp_path), ["stdout", "csv", "json"])
    logger.record("fitness/max", 1.5)
    logger.record("note", "hello", exclude="csv")
    logger.record("hist", np.arange(3.0))
    logger.record_mean("loss", 1.0)
    logger.record_mean("loss", 3.0)
    logger.dump(step=1)
    logger.record("fitness/max", float("-inf"))
    logger.record("new/key", 7)
    logger.record("loss", 0.5, exclude=("json", "stdout"))
    logger.dump(step=2)
    logger.close()
    rows = _csv_rows(tmp_path / "progress.csv")
    assert [r["fitness/max"] for r in rows] == ["1.5", "-inf"]
    assert [r["new/key"] for r in rows] == ["", "7"]  # a late key widens the header
    assert [r["loss"] for r in rows] == ["2.0", "0.5"] and "note" not in rows[0]
    lines = [json.loads(x) for x in open(tmp_path / "progress.json")]
    assert lines[0] == {"fitness/max": 1.5, "note": "hello", "loss": 2.0}
    assert lines[1] == {"fitness/max": None, "new/key": 7}
    out = capsys.readouterr().out
    assert "hello" in out and "loss" in out and out.count("best |") == 2  # header twice


def test_logging_again_to_a_folder_continues_its_files(tmp_path):
    first = configure(str(tmp_path), ["csv", "json"])
    first.record("a", 1)
    first.dump(1)
    first.close()
    again = configure(str(tmp_path), ["csv", "json"])
    again.record("a", 2)
    again.record("b", 3)
    again.dump(2)
    again.close()
    rows = _csv_rows(tmp_path / "progress.csv")
    assert [(r["a"], r["b"]) for r in rows] == [("1", ""), ("2", "3")]
    assert [json.loads(x) for x in open(tmp_path / "progress.json")] == [{"a": 1}, {"a": 2, "b": 3}]


def test_configure_errors_and_defaults(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="Unknown log format 'xml'"):
        configure(str(tmp_path), ["xml"])
    monkeypatch.setenv("EVOTRAIN_LOGDIR", str(tmp_path / "env"))
    logger = configure(None, ["csv"])
    assert logger.get_dir() == str(tmp_path / "env")
    assert os.path.exists(tmp_path / "env" / "progress.csv")
    assert configure(None, ["stdout"]).get_dir() is None


def test_run_folders_are_numbered(tmp_path):
    assert run_folder(str(tmp_path), "NEAT", True).endswith("NEAT_1")
    os.makedirs(tmp_path / "NEAT_1")
    os.makedirs(tmp_path / "NEAT_3")
    assert run_folder(str(tmp_path), "NEAT", True).endswith("NEAT_4")
    assert run_folder(str(tmp_path), "NEAT", False).endswith("NEAT_3")


def _events(folder):
    acc = EventAccumulator(folder, size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    return acc


def test_tensorboard_scalars_histograms_and_continued_runs(tmp_path):
    model = OpenES(
        "MlpPolicy", "gymnax:CartPole-v1", seed=0, tensorboard_log=str(tmp_path), **SMALL
    )
    model.learn(3)
    acc = _events(str(tmp_path / "OpenES_1"))
    scalars = acc.Tags()["scalars"]
    for key in (
        "fitness/max",
        "fitness/mean",
        "fitness/std",
        "fitness/min",
        "fitness/best",
        "fitness/nonfinite",
        "time/total_timesteps",
        "time/steps_per_s",
        "time/elapsed_s",
        "time/generations",
        "train/sigma",
    ):
        assert key in scalars, key
    best = acc.Scalars("fitness/max")
    assert [e.step for e in best] == [1, 2, 3]
    assert [e.value for e in best] == pytest.approx([h["fitness_max"] for h in model.history])
    hist = acc.Histograms("fitness/population")
    assert [h.step for h in hist] == [1, 2, 3]
    assert hist[-1].histogram_value.num == 8
    assert hist[-1].histogram_value.max == pytest.approx(model.history[-1]["fitness_max"])
    # Continuing keeps the run folder and the step count; a fresh learn starts a new run.
    model.learn(2, reset_num_generations=False)
    assert [e.step for e in _events(str(tmp_path / "OpenES_1")).Scalars("fitness/max")] == [
        1,
        2,
        3,
        4,
        5,
    ]
    model.learn(1, tb_log_name="again")
    assert sorted(os.listdir(tmp_path)) == ["OpenES_1", "again_1"]


def test_set_logger_and_log_interval(tmp_path):
    model = OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=1, **SMALL)
    model.set_logger(configure(str(tmp_path), ["csv"]))
    model.learn(5, log_interval=2)
    rows = _csv_rows(tmp_path / "progress.csv")
    assert [r["time/generations"] for r in rows] == ["2", "4"]
    assert float(rows[-1]["time/total_timesteps"]) == pytest.approx(
        sum(h["env_steps"] for h in model.history[:4])
    )
    with pytest.raises(TypeError, match="set_logger takes an evotrain.logging.Logger"):
        model.set_logger("stdout")
    assert isinstance(model.logger, Logger)


def test_neat_stdout_table_has_species_and_sizes(capsys):
    model = NEAT("FeedForward", "xor", pop_size=20, max_nodes=8, max_conns=12, seed=0, verbose=1)
    model.learn(2)
    out = capsys.readouterr().out
    header = [line for line in out.splitlines() if "species" in line]
    assert header and all(t in header[0] for t in ("gen", "best", "nodes", "conns", "best n"))
    titles = [t.strip() for t in header[0].split("|")]
    assert titles[-5:] == ["species", "nodes", "conns", "best n", "best c"]  # NEAT's order
    assert len([line for line in out.splitlines() if line.strip().startswith(("1 |", "2 |"))]) == 2


def _finished_wandb_records(run_file, timeout_s=60.0):
    """The records of a W&B run log once its ``exit`` record is on disk: ``run.finish()``
    can return before W&B's service process has flushed the file (a first run in a process
    was seen at its 7-byte header only)."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        records = _wandb_records(run_file)
        if any(r.WhichOneof("record_type") == "exit" for r in records):
            return records
        assert time.monotonic() < deadline, f"{run_file} has no exit record after {timeout_s} s"
        time.sleep(0.2)


def _wandb_records(run_file):
    """Unframes a W&B run log (32 KiB blocks of checksummed chunks after a 7-byte file
    header) into ``wandb_internal_pb2.Record`` messages, with wandb's own protobufs."""
    import struct

    from wandb.proto import wandb_internal_pb2

    data = open(run_file, "rb").read()
    assert data[:4] == b":W&B"
    block, pos, chunks, records = 32768, 7, b"", []
    while pos + 7 <= len(data):
        left = block - pos % block
        if left < 7:
            pos += left
            continue
        _crc, length, kind = struct.unpack("<IHB", data[pos : pos + 7])
        if length == 0 and kind == 0:
            break
        chunks += data[pos + 7 : pos + 7 + length]
        pos += 7 + length
        if kind in (1, 4):  # a full record, or the last chunk of one
            record = wandb_internal_pb2.Record()
            record.ParseFromString(chunks)
            records.append(record)
            chunks = b""
    return records


def test_wandb_offline_run_holds_config_and_metrics(tmp_path, monkeypatch):
    import glob

    # No WANDB_MODE and no credentials anywhere: the run must go offline by itself.
    monkeypatch.delenv("WANDB_MODE", raising=False)
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NETRC", str(tmp_path / "home" / ".netrc"))
    model = OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=2, **SMALL)
    model.set_logger(configure(str(tmp_path), ["wandb"]))
    model.learn(3)
    model.logger.close()
    (run_file,) = glob.glob(str(tmp_path / "wandb" / "offline-run-*" / "run-*.wandb"))
    records = _finished_wandb_records(run_file)

    def items(updates):
        return {u.key or "/".join(u.nested_key): json.loads(u.value_json) for u in updates}

    config, history = {}, []
    for record in records:
        kind = record.WhichOneof("record_type")
        if kind == "run":
            config.update(items(record.run.config.update))
        elif kind == "config":
            config.update(items(record.config.update))
        elif kind == "history":
            history.append(items(record.history.item))
    assert config["algorithm"] == "OpenES" and config["env"] == "gymnax:CartPole-v1"
    assert config["pop_size"] == 8 and config["seed"] == 2 and "sigma_init" in config
    assert [h["_step"] for h in history] == [1, 2, 3]
    assert [h["fitness/max"] for h in history] == pytest.approx(
        [h["fitness_max"] for h in model.history]
    )
    assert history[-1]["fitness/population/_type"] == "histogram"
    assert sum(history[-1]["fitness/population/values"]) == 8  # the whole population
    assert history[-1]["train/sigma"] > 0


def test_wandb_keeps_the_best_model_as_an_artifact(tmp_path, monkeypatch):
    import glob

    from evotrain.callbacks import EvalCallback

    monkeypatch.setenv("WANDB_MODE", "offline")
    model = OpenES("MlpPolicy", "gymnax:CartPole-v1", seed=3, **SMALL)
    model.set_logger(configure(str(tmp_path / "logs"), ["wandb"]))
    cb = EvalCallback(
        "gymnax:CartPole-v1",
        n_eval_episodes=2,
        eval_freq=1,
        best_model_save_path=str(tmp_path / "best"),
        verbose=0,
    )
    model.learn(1, callback=cb)
    model.logger.close()
    (run_file,) = glob.glob(str(tmp_path / "logs" / "wandb" / "offline-run-*" / "run-*.wandb"))
    artifacts = [
        r.artifact
        for r in _finished_wandb_records(run_file)
        if r.WhichOneof("record_type") == "artifact"
    ]
    assert [(a.name, a.type) for a in artifacts] == [("best_model", "model")]
    assert {"best", "generation-1"} <= set(artifacts[0].aliases)
    stored = {e.path for e in artifacts[0].manifest.contents}
    assert "evotrain.json" in stored and "history.json" in stored
    assert any(p.startswith("state/") for p in stored)
