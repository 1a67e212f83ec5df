"""The stderr guard: output passes through, JAX's runtime news is held back and then shown,
a fatal report becomes one evotrain line (the lost process, the coordinator, a join that
never completed), and control lines set the checkpoint it names."""

from __future__ import annotations

import os
import threading
import time

from evotrain.distributed.guard import CONTROL, HOLD_S, RunFacts, explain, guard

LOST_TASK = (
    "E1207 00:41:57.636081    2265 coordination_service_agent.cc:281] Polled an error from "
    "coordination service (this can be an error from this or another task).\n"
    "F1207 00:41:57.636436    2265 client.h:80] Terminating process because the JAX "
    "distributed service detected fatal errors. absl::Status: UNAVAILABLE: The following "
    "tasks are unhealthy (stopped sending heartbeats):\n2\nThe tasks have crashed. Check the "
    "task logs for an earlier error.\n\nRPC: /tensorflow.CoordinationService/PollForError\n"
    "*** Check failure stack trace: ***\n    @     0x7fde0676afa4  absl::LogMessage::Flush()\n"
)
LOST_LEADER = (
    "W1207 00:43:54.125880    2466 preemption_sync_manager.cc:147] Failed to retrieve "
    "preemption notice: UNAVAILABLE: Socket closed. This is only expected if one of the "
    "tasks is unhealthy. Check the logs for the actual root cause.\n"
    "E1207 00:43:54.125938    2466 preemption_sync_manager.cc:159] Failed to cancel "
    "preemption barrier: FAILED_PRECONDITION [type.googleapis.com/tensorflow.Error='']\n"
    "F1207 00:43:54.126047    2466 client.h:80] Terminating process because the JAX "
    "distributed service detected fatal errors. absl::Status: UNAVAILABLE: Failed to send "
    "RPC to coordination service. Either the leader task was preempted/died/restarted "
    "unexpectedly or this task is experiencing network issues.\n"
    "*** Check failure stack trace: ***\n"
)
NO_JOIN = (
    "F1207 00:46:53.379203    3102 client.h:80] Terminating process because the JAX "
    "distributed service detected fatal errors. absl::Status: DEADLINE_EXCEEDED: Deadline "
    "Exceeded\n\nRPC: /tensorflow.CoordinationService/RegisterTask\n"
    "*** Check failure stack trace: ***\n"
)


def _facts() -> RunFacts:
    return RunFacts(process_id=1, num_processes=3, coordinator="host0:1234", timeout_s=10)


def test_the_line_names_the_lost_process_the_coordinator_or_the_missing_join():
    line = explain(LOST_TASK, _facts())
    assert line.startswith("evotrain: error: process 2 of the run stopped answering")
    assert "process 1 of 3 stops too" in line and "\n" not in line
    assert "No checkpoint was saved in this run" in line
    line = explain(LOST_LEADER, _facts())  # "unhealthy" in a warning before it is not read
    assert "lost the coordinator, process 0 at host0:1234" in line
    line = explain(NO_JOIN, _facts())
    assert "not all 3 processes joined the run at host0:1234 within 10 s" in line
    line = explain("F1207 00:00:00.1 1 x.cc:1] absl::Status: INTERNAL: odd\n", _facts())
    assert "lost contact with the other processes of the run (INTERNAL: odd)" in line


def _run(chunks: list[tuple[float, str]], debug: bool = False) -> tuple[list[str], bool]:
    """Feeds ``(delay, text)`` chunks to a guard; returns what it wrote, with the time each
    piece was written at (relative to the start) and whether it saw a fatal report."""
    fd_in, feed = os.pipe()
    read_back, fd_out = os.pipe()
    result: dict[str, bool] = {}
    worker = threading.Thread(
        target=lambda: result.update(fatal=guard(fd_in, fd_out, _facts(), debug))
    )
    worker.start()
    for delay, text in chunks:
        time.sleep(delay)
        os.write(feed, text.encode())
    os.close(feed)
    worker.join(timeout=30)
    os.close(fd_out)
    out = b""
    while chunk := os.read(read_back, 65536):
        out += chunk
    os.close(read_back)
    os.close(fd_in)
    return out.decode().splitlines(), result["fatal"]


def test_output_passes_and_a_fatal_report_becomes_one_line():
    checkpoint = f"{CONTROL}checkpoint NEAT /runs/ckpt/evotrain_model_4_generations\n"
    lines, fatal = _run(
        [
            (0, "generation 1\n"),
            (0, checkpoint),
            (0.05, "partial"),
            (0, " line\n"),
            (0.05, LOST_TASK),
        ]
    )
    assert fatal
    assert lines[:2] == ["generation 1", "partial line"]
    assert len(lines) == 3 and lines[2].startswith("evotrain: error: process 2")
    assert "NEAT.load('/runs/ckpt/evotrain_model_4_generations')" in lines[2]
    assert "--resume /runs/ckpt/evotrain_model_4_generations" in lines[2]


def test_runtime_news_that_is_not_fatal_is_shown_after_a_moment():
    news = "W1207 00:00:00.000001    7 gloo.cc:9] slow peer\nmore of the warning\n"
    lines, fatal = _run([(0, news), (HOLD_S + 0.5, "after\n")])
    assert not fatal
    assert lines == [
        "W1207 00:00:00.000001    7 gloo.cc:9] slow peer",
        "more of the warning",
        "after",
    ]


AOT_NOISE = (
    "E1207 23:31:37.570368   13738 cpu_aot_loader.cc:220] Loading XLA:CPU AOT result. Target "
    "machine feature +prefer-no-gather is not  supported on the host machine. Machine type "
    "used for XLA:CPU compilation doesn't match the machine type for execution.\n"
)


def test_known_harmless_runtime_lines_are_dropped_unless_debugging():
    real = "E1207 23:31:37.570368   13738 cpu_aot_loader.cc:220] Loading XLA:CPU AOT result. "
    real += "Target machine feature +avx512f is not supported on the host machine.\n"
    lines, fatal = _run([(0, AOT_NOISE), (0, "generation 1\n"), (0, real)])
    assert not fatal
    assert lines == ["generation 1", real.rstrip("\n")]  # a real ISA mismatch stays
    lines, _ = _run([(0, AOT_NOISE)], debug=True)
    assert lines == [AOT_NOISE.rstrip("\n")]


def test_debug_mode_shows_the_runtime_report_and_the_line():
    lines, fatal = _run([(0, "generation 1\n"), (0, LOST_LEADER)], debug=True)
    assert fatal and lines[0] == "generation 1"
    assert any(line.startswith("F1207") for line in lines)
    assert "*** Check failure stack trace: ***" in lines
    assert lines[-1].startswith("evotrain: error: lost the coordinator")
