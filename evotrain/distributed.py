"""Several processes, one population: ``evotrain.distributed.initialize`` over JAX's own
multi-process runtime (``jax.distributed``).

Every process runs the same script and calls :func:`initialize` before anything else uses
JAX. Afterwards ``jax.devices()`` lists every process's devices, and a model's default
``devices="auto"`` splits its population over all of them
(:mod:`evotrain.training.sharding`). On CPUs the processes exchange data through gloo.

>>> import evotrain.distributed
>>> evotrain.distributed.initialize("10.0.0.1:1234", num_processes=2, process_id=0)

With no arguments, JAX detects the cluster where it can (SLURM, Open MPI, Cloud TPU).
"""

from __future__ import annotations

import socket
import time
from typing import Any

import jax
import numpy as np

DEFAULT_TIMEOUT_S = 60


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
        timeout_s: how long to wait for the other processes (and, later, how long a
            process waits for one that stopped answering before it fails).

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
            initialization_timeout=int(timeout_s),
            heartbeat_timeout_seconds=int(timeout_s),
        )
    except Exception as err:  # noqa: BLE001 - JAX raises several kinds for the same cause
        where = coordinator_address or "the detected coordinator"
        raise RuntimeError(
            f"Could not join the run at {where} within {timeout_s} s "
            f"(process {process_id} of {num_processes}): {type(err).__name__}: {err}. Check "
            "that process 0 is running with the same address and that its port is reachable."
        ) from err


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
    "broadcast_int",
    "initialize",
    "is_main_process",
    "is_multi_process",
    "print_main",
    "sync",
]
