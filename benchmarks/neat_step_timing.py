"""Time and compile cost of one NEAT generation on XOR (no peer yet; see BENCHMARKS.md).

Usage: python benchmarks/neat_step_timing.py [--pops 150 1000]
"""

from __future__ import annotations

import argparse
import time

import _common
import jax


def run(pop: int) -> None:
    from evotrain import NEAT

    model = NEAT("FeedForward", "xor", pop_size=pop, seed=0, max_nodes=50, max_conns=100)
    program = model._step
    start = time.perf_counter()
    ts = program.ready(model.train_state)  # traced, lowered and compiled here
    compile_s = time.perf_counter() - start
    for _ in range(3):  # let genomes grow a little before timing
        ts, _ = program(ts)
    times = []
    for _ in range(7):
        start = time.perf_counter()
        ts, metrics = program(ts)
        jax.block_until_ready(metrics)
        times.append(time.perf_counter() - start)
    print(
        f"XOR pop {pop}: compile {compile_s:.1f} s, per-generation median "
        f"{_common.median(times) * 1000:.1f} ms (min {min(times) * 1000:.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pops", type=int, nargs="+", default=[150, 1000])
    args = parser.parse_args()
    print(_common.machine())
    for pop in args.pops:
        run(pop)


if __name__ == "__main__":
    main()
