"""Multi-process runs that lose a process: every other process stops within the timeout,
with one evotrain error line naming the lost process (or the coordinator) and the last
checkpoint, and that checkpoint resumes in one process. Also a process whose peers never
join. Each test starts real localhost processes (gloo, 2 CPU devices each)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from evotrain import OpenES

TIMEOUT_S = 10

# One process of the run: OpenES on CartPole, a checkpoint every 2 generations, forever.
PROCESS = r"""
import os, sys, time
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
import evotrain.distributed
pid, n, port, folder, timeout = sys.argv[1:6]
evotrain.distributed.initialize(f"localhost:{port}", num_processes=int(n), process_id=int(pid),
                                timeout_s=int(timeout))
from evotrain import OpenES
from evotrain.callbacks import CheckpointCallback

def tick(locals_):
    print("generation", locals_["generation"], flush=True)
    time.sleep(0.05)
    return True

OpenES("MlpPolicy", "gymnax:CartPole-v1", pop_size=12, seed=3, policy_kwargs={"net_arch": [4]},
       max_episode_steps=40).learn(100_000, callback=[tick, CheckpointCallback(2, folder)])
"""

_STACK_MARKS = ("Traceback", "Check failure stack trace", "client.h", "JaxRuntimeError", "    @ ")


def _free_port() -> str:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return str(s.getsockname()[1])


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "EVOTRAIN_DEBUG")}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the runtime's lines as a user sees them
    return env


def _lose_one(tmp_path: Path, n: int, victim: int) -> tuple[list[str], list[int], float]:
    """Starts ``n`` processes, kills ``victim`` once every process has checkpointed, and
    returns the survivors' output, exit statuses and the longest time they took to stop."""
    port, folder = _free_port(), tmp_path / "checkpoints"
    logs = [tmp_path / f"p{i}.log" for i in range(n)]
    procs = []
    for i in range(n):
        with open(logs[i], "w") as out:
            argv = [sys.executable, "-c", PROCESS, str(i), str(n), port, str(folder)]
            procs.append(
                subprocess.Popen(
                    argv + [str(TIMEOUT_S)], env=_env(), stdout=out, stderr=subprocess.STDOUT
                )
            )
    try:
        deadline = time.monotonic() + 300
        while not all("generation 5" in log.read_text() for log in logs):
            assert time.monotonic() < deadline, [log.read_text()[-2000:] for log in logs]
            assert all(p.poll() is None for p in procs), [log.read_text() for log in logs]
            time.sleep(0.2)
        procs[victim].kill()
        killed = time.monotonic()
        codes, waited = [], 0.0
        for i, p in enumerate(procs):
            if i != victim:
                codes.append(p.wait(timeout=TIMEOUT_S + 30))
                waited = max(waited, time.monotonic() - killed)
    finally:
        for p in procs:
            p.kill()
    outputs = []
    for i, log in enumerate(logs):
        if i == victim:
            continue
        for _ in range(50):  # the guard writes its line as the process ends
            if "evotrain: error:" in log.read_text():
                break
            time.sleep(0.1)
        outputs.append(log.read_text())
    print(f"{n} processes, process {victim} killed: the others stopped {waited:.1f} s later")
    return outputs, codes, waited


def _error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("evotrain: error:")]
    assert len(lines) == 1, output[-3000:]
    for mark in _STACK_MARKS:
        assert mark not in output, (mark, output[-3000:])
    assert not re.search(r"^[EF]\d{4} ", output, re.MULTILINE), output[-3000:]
    return lines[0]


def _resumes(line: str) -> None:
    """The checkpoint the line names loads in this (one-device) process and continues."""
    path = re.search(r"last checkpoint, (\S+): start every process again", line).group(1)
    assert f"--resume {path}" in line and f"OpenES.load('{path}')" in line
    model = OpenES.load(path)
    generation = int(re.search(r"_(\d+)_generations$", path).group(1))
    assert model.num_generations == generation >= 4
    model.learn(1, reset_num_generations=False)
    assert model.num_generations == generation + 1


def test_two_processes_one_killed_the_other_stops_naming_it(tmp_path):
    (output,), (code,), waited = _lose_one(tmp_path, n=2, victim=1)
    line = _error_line(output)
    assert code != 0 and waited < TIMEOUT_S, (code, waited)
    assert "process 1 of the run stopped answering" in line and "process 0 of 2 stops" in line
    _resumes(line)


def test_three_processes_lose_the_coordinator_and_both_others_stop(tmp_path):
    outputs, codes, waited = _lose_one(tmp_path, n=3, victim=0)
    assert all(code != 0 for code in codes) and waited < TIMEOUT_S, (codes, waited)
    lines = [_error_line(output) for output in outputs]
    for i, line in zip((1, 2), lines, strict=True):
        assert "lost the coordinator, process 0 at localhost:" in line, line
        assert f"process {i} of 3 stops too" in line
    _resumes(lines[0])


def test_a_process_whose_peers_never_join_stops_with_one_line(tmp_path):
    script = (
        "import evotrain.distributed as d\n"
        f"d.initialize('localhost:{_free_port()}', num_processes=3, process_id=0, timeout_s=8)\n"
        "print('joined')\n"
    )
    start = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", script], env=_env(), capture_output=True, text=True, timeout=120
    )
    took = time.monotonic() - start
    assert out.returncode != 0 and "joined" not in out.stdout
    line = _error_line(out.stderr)
    assert "not all 3 processes joined the run at localhost:" in line and "within 8 s" in line
    assert took < 8 + 10, took  # the timeout, plus starting Python and importing JAX
