"""How ``learn`` paces the generation program: generations per dispatch, compiles ahead."""

from __future__ import annotations

import jax

DISPATCH_SECONDS = 0.5
"""The wall time a dispatch aims at when ``learn`` chooses the generations per dispatch:
short enough that logs and progress bars stay live, long enough to amortize the host."""
COMPILE_AHEAD_LEFT = 50
"""With at least this many generations left, ``learn`` on an accelerator has a population
of genomes that nears its next capacity level compile that level in the background
(:meth:`~evotrain.training.program.GenerationProgram.compile_ahead`); shorter runs
rarely reach it and compile it on need."""
COMPILE_AHEAD_ON_CPU = False
"""Whether runs on the CPU compile ahead too. Off: there the compile takes the cores the
generations run on (on 2 cores a Brax hopper run's median generation took 1.8x as long
while a level compiled beside it; BENCHMARKS.md), while on an accelerator it runs on
the host beside the device's work."""


class Pace:
    """The next dispatch's generations: the caller's fixed number, or as many as keep a
    dispatch near :data:`DISPATCH_SECONDS` (one until a generation was timed); never past
    the program's size, the generations left or a callback's next read.

    Args:
        most: the most generations one dispatch of the program runs (its ``size``).
        fixed: generations per dispatch the caller asked for (None: chosen by timing).
        platform: where the generations run (``"cpu"``, ``"gpu"``, ...).
    """

    def __init__(self, most: int, fixed: int | None, platform: str = "cpu") -> None:
        self.most = most
        self.platform = platform
        if fixed is None and jax.process_count() > 1:
            # Every process must run the same generations per dispatch (the program holds
            # collectives), and their clocks differ: no timing, the callbacks' limit only.
            fixed = most
        self.fixed = fixed
        self.gen_time: float | None = None

    def next(self, left: int, until_read: int | None) -> int:
        """Generations the next dispatch runs, with ``left`` still to run and a callback
        reading the model after ``until_read`` more (None: none does)."""
        if self.fixed is not None:
            n = self.fixed
        elif self.gen_time is None:
            n = 1
        else:
            n = max(1, int(DISPATCH_SECONDS / max(self.gen_time, 1e-9)))
        return max(1, min(n, self.most, left, until_read or left))

    def compiles_ahead(self, left: int) -> bool:
        """Whether, with ``left`` generations to go, the next capacity level should be
        compiled in the background when the population nears it."""
        on_cpu = self.platform == "cpu"
        return left >= COMPILE_AHEAD_LEFT and (COMPILE_AHEAD_ON_CPU or not on_cpu)

    def ran(self, gen_time: float) -> None:
        """Records the last dispatch's wall time per generation, in seconds."""
        self.gen_time = gen_time


__all__ = ["COMPILE_AHEAD_LEFT", "COMPILE_AHEAD_ON_CPU", "DISPATCH_SECONDS", "Pace"]
