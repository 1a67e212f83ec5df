"""`evotrain train --distributed`: two processes on localhost (2 CPU devices each) train,
log, checkpoint and build a zoo agent once, as one process would."""

import os
import subprocess
import sys

import jax
import numpy as np
import pytest

from evotrain import NEAT
from evotrain.cli import main
from tests.cli.test_cli_zoo import TINY, _train_argv
from tests.helpers import with_devices
from tests.training.test_sharding import _free_port


def _argv(root, runs, zoo_dir):
    return _train_argv(
        root,
        "--seed",
        "3",
        "--checkpoint-every",
        "1",
        "--eval-freq",
        "1",
        "--eval-episodes",
        "2",
        "--zoo",
        "--zoo-dir",
        str(zoo_dir),
        runs=runs,
    )


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    """The root folder and each process's (stdout, stderr)."""
    root = tmp_path_factory.mktemp("distributed")
    (root / "neat.yaml").write_text(TINY)
    port = _free_port()
    env = {**os.environ, "XLA_FLAGS": with_devices(2)}
    argv = _argv(root, root / "runs", root / "zoo")
    logs = [(root / f"out{i}.txt", root / f"err{i}.txt") for i in range(2)]
    procs = []
    for i, (out, err) in enumerate(logs):
        with open(out, "w") as o, open(err, "w") as e:
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "evotrain",
                        *argv,
                        "--distributed",
                        "--coordinator",
                        f"localhost:{port}",
                        "--num-processes",
                        "2",
                        "--process-id",
                        str(i),
                    ],
                    env=env,
                    stdout=o,
                    stderr=e,
                )
            )
    codes = [p.wait(timeout=600) for p in procs]
    outputs = [(out.read_text(), err.read_text()) for out, err in logs]
    for code, (_, err) in zip(codes, outputs, strict=True):
        assert code == 0, err[-3000:]
    return root, outputs


def test_only_process_zero_prints_and_writes_one_run(two_processes):
    root, outputs = two_processes
    (out0, _), (out1, _) = outputs
    assert "saved" in out0 and "zoo agent written to" in out0 and "Eval at" not in out1
    for text in ("saved", "zoo agent", "generation", "fitness"):
        assert text not in out1, out1
    runs = root / "runs" / "neat"
    assert [p.name for p in runs.iterdir()] == ["gymnax-CartPole-v1_1"]
    run = runs / "gymnax-CartPole-v1_1"
    assert len((run / "progress.csv").read_text().splitlines()) == 3  # header + 2 generations
    assert (run / "config.json").is_file() and (run / "evaluations.npz").is_file()
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == [
        ".evotrain-run.json",  # one owner record and lock, written by process 0
        ".evotrain-run.lock",
        "evotrain_model_1_generations",
        "evotrain_model_2_generations",
    ]
    owned = {".evotrain-run.json", ".evotrain-run.lock"}
    for folder in (run, run / "checkpoints", root / "zoo"):
        assert not [
            p.name for p in folder.iterdir() if p.name.startswith(".") and p.name not in owned
        ]
    agent = root / "zoo" / "neat-gymnax-CartPole-v1"
    assert (agent / "README.md").is_file() and (agent / "model" / "evotrain.json").is_file()


def test_the_two_process_run_equals_a_single_process_run(two_processes, tmp_path):
    root, _ = two_processes
    assert main(_argv(root, tmp_path / "runs", tmp_path / "zoo")) == 0
    single = tmp_path / "runs" / "neat" / "gymnax-CartPole-v1_1"
    run = root / "runs" / "neat" / "gymnax-CartPole-v1_1"
    for name in ("model", "best_model", "checkpoints/evotrain_model_1_generations"):
        a = NEAT.load(run / name, devices=1)
        b = NEAT.load(single / name, devices=1)
        assert a.num_generations == b.num_generations
        for x, y in zip(
            jax.tree_util.tree_leaves(a.train_state)[1:],
            jax.tree_util.tree_leaves(b.train_state)[1:],
            strict=True,
        ):
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y), err_msg=name)


def test_distributed_options_are_checked(tmp_path, capsys):
    root = tmp_path
    (root / "neat.yaml").write_text(TINY)
    argv = _argv(root, root / "runs", root / "zoo")
    assert main([*argv, "--coordinator", "localhost:1"]) == 2
    assert "need --distributed" in capsys.readouterr().err
    assert main([*argv, "--distributed", "--coordinator", "localhost:1"]) == 2
    assert "Give all of --coordinator, --num-processes and --process-id" in capsys.readouterr().err
    assert not (root / "runs").exists()


def test_the_commands_in_the_multi_device_docs_parse():
    import re
    import shlex
    from pathlib import Path

    from evotrain.cli import build_parser

    text = (Path(__file__).parents[2] / "docs" / "multi_device.md").read_text()
    commands = re.findall(
        r"^(?:srun )?(evotrain train .*?)(?<!\\)$", text.replace("\\\n", " "), re.M
    )
    assert len(commands) == 3, commands
    for command in commands:
        args = build_parser().parse_args(shlex.split(command)[1:])
        assert args.distributed and args.algo in ("openes",)
