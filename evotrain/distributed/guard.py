"""The stderr guard of a multi-process run: JAX's runtime reports become one evotrain line.

When a process of a multi-process run dies or stops answering, JAX's coordination runtime
ends every other process from a C++ thread (``LOG(FATAL)``, then ``abort``): no Python
code runs any more in that process, and what reaches the user is the runtime's log lines
and a C++ stack trace. So :func:`evotrain.distributed.initialize` routes the process's
stderr (file descriptor 2) through this small helper process, started as a plain script
(standard library only, no JAX), which

- drops the runtime's known harmless lines (:data:`_NOISE`);
- passes every other line through at once, except the runtime's own log lines (``E1207
  00:41:57.63 2254 file.cc:123] ...`` and the lines that follow them), which it holds back
  for a moment: if no fatal report follows, they are passed through as well;
- when the process ends after a fatal report, writes one line instead, naming the lost
  process (or the coordinator), and how to resume from the last checkpoint the process
  noted (:func:`evotrain.distributed.note_checkpoint`);
- with ``--debug`` (``EVOTRAIN_DEBUG=1``) passes everything through, the runtime's report
  included, and still adds the evotrain line.

The process talks to the guard with control lines on the same pipe: a line that starts
with :data:`CONTROL` is never shown.
"""

from __future__ import annotations

import argparse
import os
import re
import select
import signal
import time
from dataclasses import dataclass

CONTROL = "\x1eevotrain-guard "
"""The prefix of the control lines a guarded process writes to its stderr."""

HOLD_S = 1.0
"""How long the runtime's log lines are held back for a fatal report that may follow."""

_RUNTIME_LINE = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [^ \]]+:\d+\] ")
_UNHEALTHY = re.compile(r"stopped sending heartbeats\):\s*((?:\d+[,\s]*)+)")
_NOISE = re.compile(
    r"cpu_aot_loader\.cc:\d+\] Loading XLA:CPU AOT result\. Target machine feature "
    r"\+prefer-no-(gather|scatter) is not\s+supported"
)
"""Runtime lines that are known to be harmless, dropped unless debugging: XLA's CPU
loader reports, for every program it loads from the persistent compilation cache on CPUs
whose compiler tunes with ``prefer-no-gather``/``prefer-no-scatter`` (Intel Sapphire
Rapids, ...), that these tuning flags are not CPU features of the host; the program loads
and runs as compiled (openxla/xla#44565)."""


@dataclass
class RunFacts:
    """What the guard knows of the run and of the guarded process."""

    process_id: int
    num_processes: int
    coordinator: str
    timeout_s: int
    checkpoint: str | None = None
    algorithm: str | None = None


def explain(report: str, facts: RunFacts) -> str:
    """The evotrain error line for JAX's fatal ``report`` (the runtime's text).

    Args:
        report: the runtime's fatal log message (and what followed it).
        facts: the run and this process.

    Returns:
        One line, starting ``evotrain: error:``.
    """
    fatal = re.search(r"^F\d{4} ", report, re.MULTILINE)
    report = report[fatal.start() :] if fatal else report  # the fatal message, not the news
    me = f"process {facts.process_id} of {facts.num_processes}"
    unhealthy = _UNHEALTHY.search(report)
    if "RegisterTask" in report:
        return (
            f"evotrain: error: {me} stops: not all {facts.num_processes} processes joined "
            f"the run at {facts.coordinator} within {facts.timeout_s} s. Start every process "
            "with the same coordinator address and process count, each with its own process "
            "id, and check that they can reach the coordinator's port."
        )
    if unhealthy:
        ids = sorted({int(i) for i in re.findall(r"\d+", unhealthy.group(1))})
        lost = ", ".join(str(i) for i in ids)
        what = f"process {lost}" if len(ids) == 1 else f"processes {lost}"
        cause = (
            f"{what} of the run stopped answering within the {facts.timeout_s} s timeout (it "
            "died, hangs, or its host is unreachable)"
        )
    elif "leader" in report or "Failed to send RPC to coordination service" in report:
        cause = (
            f"lost the coordinator, process 0 at {facts.coordinator} (it died, or its host is "
            "unreachable)"
        )
    else:
        first = next((line for line in report.splitlines() if "absl::Status" in line), "")
        status = first.split("absl::Status:", 1)[-1].strip() or report.strip()[:200]
        cause = f"lost contact with the other processes of the run ({status})"
    return f"evotrain: error: {cause}; {me} stops too. {resume_hint(facts)}"


def resume_hint(facts: RunFacts) -> str:
    """How to resume, from the last checkpoint this process noted."""
    if facts.checkpoint is None:
        return (
            "No checkpoint was saved in this run, so it cannot be resumed: save checkpoints "
            "with CheckpointCallback (evotrain train --checkpoint-every K)."
        )
    load = f"{facts.algorithm}.load" if facts.algorithm else "load"
    return (
        f"Resume from the last checkpoint, {facts.checkpoint}: start every process again "
        f"with --resume {facts.checkpoint} (in a script: {load}('{facts.checkpoint}') and "
        "learn(..., reset_num_generations=False))."
    )


def _control(line: str, facts: RunFacts) -> None:
    """Applies one control line (without its prefix)."""
    what, _, rest = line.partition(" ")
    if what == "run":  # process id, process count, coordinator (once JAX joined the run)
        pid, n, facts.coordinator = rest.split(" ", 2)
        facts.process_id, facts.num_processes = int(pid), int(n)
    elif what == "checkpoint":
        algorithm, _, path = rest.partition(" ")
        facts.algorithm, facts.checkpoint = algorithm or None, path or None


def guard(fd_in: int, fd_out: int, facts: RunFacts, debug: bool) -> bool:
    """Copies ``fd_in`` to ``fd_out`` until end of file, as the module docstring says.

    Returns:
        Whether the guarded process ended with a fatal runtime report.
    """
    pending = b""
    held: list[str] = []  # the runtime's log lines and what followed them
    held_since = 0.0
    fatal = False
    mid_line = False  # the start of the current line was passed through already

    def write(text: str) -> None:
        data = text.encode("utf-8", "replace")
        while data:
            data = data[os.write(fd_out, data) :]

    def release() -> None:
        if not fatal and not debug:  # in debug mode they were written already
            write("".join(held))
        held.clear()

    while True:
        wait = None if not held or fatal else max(0.0, held_since + HOLD_S - time.monotonic())
        ready, _, _ = select.select([fd_in], [], [], wait)
        if not ready:  # nothing fatal followed the runtime's lines: they were only news
            release()
            continue
        chunk = os.read(fd_in, 65536)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", "replace") + "\n"
            if mid_line:
                mid_line = False
                write(line)
                continue
            if line.startswith(CONTROL):
                _control(line[len(CONTROL) :].rstrip("\n"), facts)
                continue
            if debug:
                write(line)
            elif _NOISE.search(line):
                continue
            if _RUNTIME_LINE.match(line):
                fatal = fatal or line.startswith("F")
                held_since = time.monotonic()
                held.append(line)
            elif held:
                held.append(line)
            elif not debug:
                write(line)
        # A partial line (a progress bar's "\r" updates) is passed on at once, unless it may
        # be the start of a runtime line or a control line.
        if pending and not held and not debug and pending[:1] not in b"IWEF\x1e":
            write(pending.decode("utf-8", "replace"))
            pending, mid_line = b"", True
    tail = pending.decode("utf-8", "replace")
    if fatal:
        report = "".join(held) + tail
        write(explain(report, facts) + "\n")
        return True
    release()
    if not debug:
        write(tail)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--process-id", type=int, required=True)
    parser.add_argument("--num-processes", type=int, required=True)
    parser.add_argument("--coordinator", required=True)
    parser.add_argument("--timeout", type=int, required=True)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    # A Ctrl-C reaches the whole process group: the guard stays to report what follows.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    facts = RunFacts(args.process_id, args.num_processes, args.coordinator, args.timeout)
    guard(0, 1, facts, args.debug)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
