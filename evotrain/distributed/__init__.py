"""Several processes, one population: ``evotrain.distributed.initialize`` over JAX's own
multi-process runtime (``jax.distributed``).

Every process runs the same script and calls :func:`initialize` before anything else uses
JAX. Afterwards ``jax.devices()`` lists every process's devices, and a model's default
``devices="auto"`` splits its population over all of them
(:mod:`evotrain.training.sharding`). On CPUs the processes exchange data through gloo.

>>> import evotrain.distributed
>>> evotrain.distributed.initialize("10.0.0.1:1234", num_processes=2, process_id=0)

With no arguments, JAX detects the cluster where it can (SLURM, Open MPI, Cloud TPU).

When a process of the run dies or stops answering, JAX's runtime ends every other process
within the timeout. Each of them then prints one line, ``evotrain: error: ...``, naming the
lost process (or the coordinator) and the last checkpoint to resume from, instead of the
runtime's own report and C++ stack trace (:mod:`evotrain.distributed.guard`); set
``EVOTRAIN_DEBUG=1`` to see those as well.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jax
import numpy as np

DEFAULT_TIMEOUT_S = 60

JOIN_OVERHEAD_S = 6
"""Seconds JAX's registration of a process adds to the timeout it is given (measured with
jax 0.9: about 5.5 s), taken off ``timeout_s`` so that joining stays within it."""

HEARTBEAT_SHARE = 0.8
"""JAX declares a silent process lost after this share of ``timeout_s``; the rest covers
the runtime's check interval, so the others have stopped within ``timeout_s``."""

DEBUG_ENV = "EVOTRAIN_DEBUG"
"""Set to 1 to see JAX's own reports (and Python tracebacks) when a process is lost."""

_guard: dict[str, Any] = {}  # the stderr guard of this process, once started


def initialize(
    coordinator_address: str | None = None,
    num_processes: int | None = None,
    process_id: int | None = None,
    *,
    timeout_s: int = DEFAULT_TIMEOUT_S,
) -> None:
    """Joins this process to a multi-process run.

    Args:
        coordinator_address: ``host:port`` of process 0 (None: detected, e.g. from SLURM).
        num_processes: how many processes take part (None: detected).
        process_id: this process's index in ``[0, num_processes)`` (None: detected).
        timeout_s: how long to wait for the other processes at start, and the time
            within which every process stops once one of them stopped answering.

    With more than one process, this process's stderr then passes through the guard of
    :mod:`evotrain.distributed.guard`: when JAX's runtime ends the process because another
    one was lost (or because not every process joined within ``timeout_s``), the last
    line on stderr is one ``evotrain: error: ...`` line naming the lost process and the
    checkpoint to resume from, and the exit status is that of an abort (134 in a shell).

    Raises:
        ValueError: ``num_processes`` below 1, ``process_id`` out of range, a bad timeout.
        RuntimeError: the coordinator could not be reached within ``timeout_s`` (the
            message names the address to check).
    """
    if num_processes is not None and (isinstance(num_processes, bool) or num_processes < 1):
        raise ValueError(f"num_processes must be at least 1, got {num_processes!r}.")
    if process_id is not None and num_processes is not None:
        if not 0 <= process_id < num_processes:
            raise ValueError(
                f"process_id={process_id} is out of range for num_processes={num_processes}: "
                f"give each process one id from 0 to {num_processes - 1}."
            )
    if timeout_s < 1:
        raise ValueError(f"timeout_s must be at least 1 second, got {timeout_s}.")
    if num_processes != 1:
        _start_guard(process_id, num_processes, coordinator_address, timeout_s)
    if coordinator_address is not None and process_id not in (None, 0):
        # JAX's client aborts the whole process (no Python exception) when it cannot reach
        # the coordinator, so check that it answers first.
        _wait_for(coordinator_address, timeout_s, process_id, num_processes)
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    try:
        jax.distributed.initialize(
            coordinator_address,
            num_processes=num_processes,
            process_id=process_id,
            initialization_timeout=max(1, int(timeout_s) - JOIN_OVERHEAD_S),
            heartbeat_timeout_seconds=max(1, int(HEARTBEAT_SHARE * timeout_s)),
        )
    except Exception as err:  # noqa: BLE001 - JAX raises several kinds for the same cause
        where = coordinator_address or "the detected coordinator"
        raise RuntimeError(
            f"Could not join the run at {where} within {timeout_s} s "
            f"(process {process_id} of {num_processes}): {type(err).__name__}: {err}. Check "
            "that process 0 is running with the same address and that its port is reachable."
        ) from err
    if _guard:  # the detected values replace those that were not given
        address = coordinator_address or os.environ.get("JAX_COORDINATOR_ADDRESS", "detected")
        _tell_guard(f"run {jax.process_index()} {jax.process_count()} {address}")


def _start_guard(
    process_id: int | None, num_processes: int | None, address: str | None, timeout_s: int
) -> None:
    """Routes this process's stderr through :mod:`evotrain.distributed.guard` and reports
    JAX runtime errors of the main thread through it (:func:`_excepthook`)."""
    if _guard:
        return
    sys.stderr.flush()
    command = [
        sys.executable,
        str(Path(__file__).with_name("guard.py")),  # a plain script: it imports no JAX
        f"--process-id={-1 if process_id is None else process_id}",
        f"--num-processes={-1 if num_processes is None else num_processes}",
        f"--coordinator={address or 'the detected coordinator'}",
        f"--timeout={timeout_s}",
    ] + (["--debug"] if _debug() else [])
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=2, close_fds=True)
    assert proc.stdin is not None
    os.dup2(proc.stdin.fileno(), 2)  # the guard's stdout is the old stderr
    proc.stdin.close()
    _guard.update(proc=proc, timeout_s=timeout_s, previous_hook=sys.excepthook)
    sys.excepthook = _excepthook


def _debug() -> bool:
    """Whether ``EVOTRAIN_DEBUG`` asks for JAX's own reports."""
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def _tell_guard(line: str) -> None:
    """Sends one control line to the stderr guard (nothing without one)."""
    if _guard:
        from evotrain.distributed.guard import CONTROL

        sys.stderr.flush()
        os.write(2, f"{CONTROL}{line}\n".encode())


def note_checkpoint(path: str | os.PathLike[str], algorithm: str) -> None:
    """Records the newest checkpoint of the run, which the error line of a lost process
    names as the one to resume from.

    Args:
        path: the checkpoint's folder.
        algorithm: the model's class name (``NEAT``), for the ``load`` call the line shows.
    """
    _tell_guard(f"checkpoint {algorithm} {os.path.abspath(path)}")


def _excepthook(kind: type[BaseException], error: BaseException, tb: Any) -> None:
    """An error of JAX's runtime in the main thread of a multi-process run (a collective
    whose peer is gone) waits for the runtime to say which process was lost; the guard
    then prints the one evotrain line. Other errors are reported as usual."""
    if not isinstance(error, jax.errors.JaxRuntimeError) or not is_multi_process():
        _guard["previous_hook"](kind, error, tb)
        return
    if _debug():
        _guard["previous_hook"](kind, error, tb)
    sys.stderr.flush()
    time.sleep(_guard["timeout_s"] + 5)  # JAX's runtime stops this process before then
    first = str(error).strip().splitlines()[0] if str(error).strip() else kind.__name__
    print(
        f"evotrain: error: {first} (no process of the run was lost; set {DEBUG_ENV}=1 for "
        "the traceback)",
        file=sys.stderr,
        flush=True,
    )
    os._exit(1)


def _wait_for(address: str, timeout_s: int, process_id: int | None, n: int | None) -> None:
    """Returns once ``host:port`` accepts a TCP connection; RuntimeError after ``timeout_s``."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"coordinator_address must be 'host:port', got {address!r}.")
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with socket.create_connection((host, int(port)), timeout=min(5.0, timeout_s)):
                return
        except OSError as err:
            if time.monotonic() >= deadline:
                raise RuntimeError(
                    f"Could not join the run at {address} within {timeout_s} s (process "
                    f"{process_id} of {n}): nothing answers there ({err}). Start process 0 "
                    "with the same address, and check the host name, the port and the "
                    "firewall."
                ) from err
            time.sleep(0.2)


def is_main_process() -> bool:
    """Whether this is process 0 (the one that prints, logs and writes files)."""
    return jax.process_index() == 0


def print_main(*args: Any, **kwargs: Any) -> None:
    """``print`` on process 0 only (every process of a multi-process run computes the same
    messages; one of them says them)."""
    if is_main_process():
        print(*args, **kwargs)


def is_multi_process() -> bool:
    """Whether this process is one of several (``initialize`` was called with more than one)."""
    return jax.process_count() > 1


def sync(name: str) -> None:
    """Returns once every process has reached ``sync(name)`` (at once in a single process).

    Every process must call it with the same ``name``, in the same order."""
    if is_multi_process():
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices(name)


def broadcast_int(value: int) -> int:
    """Process 0's ``value`` (a 32-bit integer), on every process; ``value`` itself in a
    single process. Every process must call it at the same point."""
    if not is_multi_process():
        return int(value)
    from jax.experimental import multihost_utils

    return int(multihost_utils.broadcast_one_to_all(np.int32(value)))


__all__ = [
    "DEBUG_ENV",
    "broadcast_int",
    "initialize",
    "is_main_process",
    "is_multi_process",
    "note_checkpoint",
    "print_main",
    "sync",
]
