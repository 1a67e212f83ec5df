"""How evotrain's large programs (generation steps, rollouts) are compiled.

On the CPU, XLA spends nearly all of a NEAT generation step's compile time generating and
optimizing machine code for its several hundred small kernels. Those kernels are memory-
and control-bound, so LLVM's most expensive optimizations buy little at run time: with
LLVM at optimization level 1 and XLA's classic loop emitters, a NEAT generation compiles
about twice as fast (a Brax hopper step: 34 s -> 14 s) and runs within measurement noise
of the default (``BENCHMARKS.md``, "Compile time"). Dense policies are another matter: an
OpenAI-ES CartPole generation (MLP forward passes) runs about 25% slower that way, so
programs opt in with ``fast_compile=True`` (NEAT does; the fixed-network algorithms keep
XLA's defaults). Other backends always keep XLA's defaults.

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


def compiler_options(fast_compile: bool = True) -> dict[str, Any]:
    """The XLA compile options for the default backend (empty: XLA's defaults).

    Args:
        fast_compile: use :data:`CPU_COMPILER_OPTIONS` on the CPU.
    """
    if fast_compile and jax.default_backend() == "cpu":
        return dict(CPU_COMPILER_OPTIONS)
    return {}


def jit_program(fn: Callable[..., Any], fast_compile: bool = False, **jit_kwargs: Any) -> Any:
    """``jax.jit(fn, **jit_kwargs)`` with :func:`compiler_options` (``fast_compile``:
    trade run-time optimization of compute-bound kernels for compile time)."""
    return jax.jit(fn, compiler_options=compiler_options(fast_compile), **jit_kwargs)


__all__ = ["CPU_COMPILER_OPTIONS", "compiler_options", "jit_program"]
