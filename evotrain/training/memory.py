"""Refuses a generation step that cannot fit in memory, and says what ``pop_batch_size`` would.

XLA reports, for a compiled step, the bytes of its arguments, outputs and temporaries; the
check compares them with the memory the device has free before the first generation runs.
Evaluating the population in chunks (``pop_batch_size``) shrinks the rollout states and
network activations; the population and the strategy's own arrays do not shrink.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from typing import Any

import jax

from evotrain.evaluation import EvalConfig

HEADROOM = 0.8
"""Share of the free memory a step may plan to use."""


class PopulationTooLargeError(MemoryError):
    """One generation of this population needs more memory than the device has free."""


def available_memory_bytes(device: Any | None = None) -> int | None:
    """Free memory of ``device`` (the default device), or None when unknown.

    Accelerators report their own limit; on the CPU it is the host's available memory
    (``MemAvailable`` of ``/proc/meminfo``, else free pages).
    """
    device = device if device is not None else jax.devices()[0]
    if device.platform != "cpu":
        stats = device.memory_stats() or {}
        limit = stats.get("bytes_limit")
        if limit is None:
            return None
        return int(limit) - int(stats.get("bytes_in_use", 0))
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return None


def _gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB"


def step_bytes(compiled: Any) -> int:
    """Arguments + outputs + temporaries of a compiled step, in bytes (0 when unknown)."""
    stats = compiled.memory_analysis()
    if stats is None:
        return 0
    return int(stats.argument_size_in_bytes + stats.output_size_in_bytes + stats.temp_size_in_bytes)


def check_step_memory(
    need: int,
    pop_size: int,
    pop_batch_size: int | None,
    available: int | None,
    measure: Callable[[int], int],
) -> None:
    """Raises :class:`PopulationTooLargeError` when a step needing ``need`` bytes cannot fit.

    The advised ``pop_batch_size`` is found by compiling (not running) the step at smaller
    chunks: a binary search over the divisors of ``pop_size``, a few compiles, paid only
    on this error path.

    Args:
        need: bytes the step needs as compiled (see :func:`step_bytes`).
        pop_size: the population size.
        pop_batch_size: the current evaluation chunk (None: the whole population).
        available: free bytes (None: unknown, nothing is checked).
        measure: ``measure(pop_batch_size) -> bytes`` of the step compiled with that chunk.
    """
    if available is None or need == 0:
        return
    budget = HEADROOM * available
    if need <= budget:
        return
    batch = min(pop_batch_size or pop_size, pop_size)
    divisors = [d for d in range(1, batch) if pop_size % d == 0]
    fits = None
    lo, hi = 0, len(divisors) - 1
    while lo <= hi:  # the largest divisor whose step fits
        mid = (lo + hi) // 2
        if measure(divisors[mid]) <= budget:
            fits, lo = divisors[mid], mid + 1
        else:
            hi = mid - 1
    if fits is not None:
        advice = f"pass pop_batch_size={fits} (evaluates {fits} genomes at a time)"
    else:
        advice = (
            "evaluating in smaller chunks (pop_batch_size) does not bring it under that: the "
            "population itself is too large, so lower pop_size or the network size "
            "(max_nodes/max_conns, net_arch)"
        )
    raise PopulationTooLargeError(
        f"One generation of pop_size={pop_size} (pop_batch_size={pop_batch_size}) needs about "
        f"{_gib(need)} but the {jax.default_backend()} device has {_gib(available)} free "
        f"(a step may plan on {HEADROOM:.0%} of it); {advice}."
    )


def compile_checked(
    build: Callable[[EvalConfig], Any], eval_config: EvalConfig, args: Any, pop_size: int
) -> Any:
    """Compiles ``build(eval_config)`` ahead of time for ``args`` and checks it fits in free
    memory.

    Args:
        build: makes the jitted generation program for an :class:`EvalConfig`; the check
            calls it again with smaller ``pop_batch_size`` values to find one that fits.
        eval_config: the evaluation settings the program runs with.
        args: what the program will be called with: a train state, or a tuple of
            arguments (the train state first).
        pop_size: individuals per generation.

    Returns:
        The compiled step.

    Raises:
        PopulationTooLargeError: when one generation cannot fit (the message says which
            ``pop_batch_size`` would).
    """
    args = args if isinstance(args, tuple) else (args,)
    compiled = build(eval_config).lower(*args).compile()

    def measure(batch: int) -> int:
        config = dataclasses.replace(eval_config, pop_batch_size=batch)
        return step_bytes(build(config).lower(*args).compile())

    check_step_memory(
        step_bytes(compiled),
        pop_size,
        eval_config.pop_batch_size,
        available_memory_bytes(),
        measure,
    )
    return compiled
