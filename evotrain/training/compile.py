"""How evotrain's large programs (generation steps, rollouts) are compiled.

On the CPU, XLA spends nearly all of a generation step's compile time generating and
optimizing machine code for its several hundred small kernels. Those kernels are memory-
and control-bound, so LLVM's most expensive optimizations buy little at run time: with
LLVM at optimization level 1 and XLA's classic loop emitters, a NEAT generation compiles
about twice as fast (a Brax hopper step: 34 s -> 14 s) and runs within measurement noise
of the default (``BENCHMARKS.md``, "Compile time"). Other backends keep XLA's defaults.

JAX takes compile options only on a top-level ``jax.jit``: a program made by
:func:`jit_program` cannot itself be called inside another jitted function (jit its
undecorated function instead; ``jitted.__wrapped__`` is that function).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

CPU_COMPILER_OPTIONS: dict[str, Any] = {
    "xla_backend_optimization_level": 1,
    "xla_cpu_use_fusion_emitters": False,
}
"""XLA options for evotrain's programs when JAX's default backend is the CPU."""


def compiler_options() -> dict[str, Any]:
    """The XLA compile options for the default backend (empty: XLA's defaults)."""
    return dict(CPU_COMPILER_OPTIONS) if jax.default_backend() == "cpu" else {}


def jit_program(fn: Callable[..., Any], **jit_kwargs: Any) -> Any:
    """``jax.jit(fn, **jit_kwargs)`` with :func:`compiler_options`."""
    return jax.jit(fn, compiler_options=compiler_options(), **jit_kwargs)


__all__ = ["CPU_COMPILER_OPTIONS", "compiler_options", "jit_program"]
