"""evotrain's MAP-Elites against QDax's on the planar arm task, side by side in one run.

The task (Cully et al. 2015's planar arm, as QDax and fast_map-elites define it): a
genotype is ``--dims`` joint angles normalized to ``[0, 1]``; the fitness is minus their
standard deviation; the descriptor is the end effector's position, normalized to
``[0, 1]^2``. Both runs use a ``--grid`` x ``--grid`` archive over ``[0, 1]^2``, a first
batch drawn uniformly from ``[0, 1]^dims``, then ``--iters`` batches of ``--batch``
iso-line children (``--iso``, ``--line``; children clipped to ``[0, 1]``) of elites drawn
uniformly: the same evaluation budget and emitter settings. Each side runs its whole
loop as one jitted ``lax.scan``; the time per iteration excludes compilation.

QDax needs another JAX than evotrain's, so its half (``_qdax_arm.py``) runs in its own
environment's Python (``--qdax-python``), one process per seed. QD score and coverage are
computed the same way from both final archives (QD score: the sum over filled cells of
``fitness - offset``, ``offset = --offset``).

Usage: python benchmarks/qd_vs_qdax.py --qdax-python /path/to/qdax-env/bin/python
       [--dims 100] [--batch 100] [--iters 1000] [--grid 50] [--seeds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _common
import jax
import jax.numpy as jnp
import numpy as np

from evotrain.evaluation.result import Evaluation
from evotrain.qd import GridLayout
from evotrain.strategies.map_elites import MAPElitesConfig, MAPElitesParams, MAPElitesStrategy


def arm(x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``(batch, dims)`` normalized joint angles -> fitness ``(batch,)`` (minus their
    standard deviation) and the end effector's position ``(batch, 2)`` in ``[0, 1]^2``."""
    x = jnp.clip(x, 0.0, 1.0)
    fitness = -jnp.std(x, axis=1)
    angles = jnp.cumsum(2 * jnp.pi * x - jnp.pi, axis=1)
    n = x.shape[1]
    position = jnp.stack([jnp.cos(angles).sum(1), jnp.sin(angles).sum(1)], axis=1) / (2 * n)
    return fitness, position + 0.5


def arm_run(strategy: Any, params: Any, generations: int, seed: int) -> dict:
    """An evotrain QD strategy on the arm for ``generations`` generations (the first may
    be its first batch), as one jitted ``lax.scan`` timed after compilation: the final
    fitness per cell, seconds per generation and the compile time."""

    def generation(state, key):
        k_ask, k_tell = jax.random.split(key)
        population, state = strategy.ask(k_ask, state, params)
        fitness, descriptors = arm(population)
        record = Evaluation(fitness, jnp.int32(0), jnp.int32(0), descriptors=descriptors)
        state, _ = strategy.tell(k_tell, population, record, state, params)
        return state, None

    @jax.jit
    def run(key):
        k_init, k_run = jax.random.split(key)
        state = strategy.init(k_init, params)
        state, _ = jax.lax.scan(generation, state, jax.random.split(k_run, generations))
        return state.archive.fitness

    return timed(run, jax.random.key(seed), generations)


def timed(run: Callable, key: jax.Array, iterations: int) -> dict:
    """Compiles ``run(key)`` (a jitted whole run returning each cell's final fitness), then
    times one call: ``compile_s``, ``per_iter_s`` (over ``iterations``) and ``fitness``."""
    start = time.perf_counter()
    compiled = run.lower(key).compile()
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    fitness = np.asarray(jax.block_until_ready(compiled(key)))
    per_iter_s = (time.perf_counter() - start) / iterations
    return {"compile_s": compile_s, "per_iter_s": per_iter_s, "fitness": fitness}


def evotrain_run(a: argparse.Namespace, seed: int) -> dict:
    layout = GridLayout((a.grid, a.grid), (0.0, 0.0), (1.0, 1.0))
    config = MAPElitesConfig(a.batch, a.dims, layout, clip=(0.0, 1.0))
    uniform = lambda key: jax.random.uniform(key, (a.dims,))  # noqa: E731
    strategy = MAPElitesStrategy(config, initializer=uniform)
    params = MAPElitesParams(iso_sigma=a.iso, line_sigma=a.line, init_sigma=0.0)
    return arm_run(strategy, params, a.iters + 1, seed)  # the first batch, as QDax's init


def arm_arguments(peer: str) -> argparse.ArgumentParser:
    """The options both comparisons take, and ``--<peer>-python``."""
    p = argparse.ArgumentParser()
    p.add_argument(f"--{peer}-python", required=True)
    p.add_argument("--dims", type=int, default=100)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--iters", type=int, default=1000)
    p.add_argument("--grid", type=int, default=50)
    p.add_argument("--offset", type=float, default=-1.0)
    p.add_argument("--seeds", type=int, default=3)
    return p


def peer_run(python: str, script: str, seed: int, options: dict[str, object]) -> dict:
    """Runs a peer's half (``script`` beside this file, with ``--seed`` and ``options``
    as ``--name value``) with that environment's ``python``; its JSON result, the final
    fitness per cell as an array (``-inf`` where empty)."""
    args = [python, str(Path(__file__).with_name(script)), "--seed", str(seed)]
    for name, value in options.items():
        args += [f"--{name}", str(value)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["fitness"] = np.asarray(
        [-np.inf if f is None else f for f in result["fitness"]], np.float32
    )
    return result


def scores(fitness: np.ndarray, offset: float) -> tuple[float, float]:
    filled = np.isfinite(fitness)
    return float(np.sum(fitness[filled] - offset)), float(filled.mean())


def side_by_side(runs: dict[str, Callable[[int], dict]], seeds: int, offset: float) -> None:
    """Runs each side per seed, alternating so that machine noise hits both alike, and
    prints each run and the means (with their spread) and ratios, first side over second."""
    rows: dict[str, list[tuple[float, float, float]]] = {name: [] for name in runs}
    for seed in range(seeds):
        for name, run in runs.items():
            r = run(seed)
            qd, cov = scores(r["fitness"], offset)
            rows[name].append((qd, cov, r["per_iter_s"]))
            print(
                f"seed {seed} {name:8s} qd {qd:9.2f}  coverage {cov:.4f}  "
                f"{1e3 * r['per_iter_s']:.3f} ms/iter  compile {r['compile_s']:.2f} s"
                + (f"  ({r['versions']})" if "versions" in r else "")
            )
    ours, peer = rows.values()
    for i, what in enumerate(("QD score", "coverage", "s per iteration")):
        e, q = [row[i] for row in ours], [row[i] for row in peer]
        print(
            f"{what:16s} {list(rows)[0]} {statistics.mean(e):.5g} +- {statistics.pstdev(e):.2g}"
            f"   {list(rows)[1]} {statistics.mean(q):.5g} +- {statistics.pstdev(q):.2g}"
            f"   ratio {statistics.mean(e) / statistics.mean(q):.3f}"
        )


def main() -> None:
    p = arm_arguments("qdax")
    p.add_argument("--iso", type=float, default=0.005)
    p.add_argument("--line", type=float, default=0.05)
    a = p.parse_args()
    _common.setup_cache()
    print(f"# {_common.machine()}; {' '.join(sys.argv[1:])}")
    options = {k: getattr(a, k) for k in ("dims", "batch", "iters", "grid", "iso", "line")}
    runs = {
        "evotrain": lambda seed: evotrain_run(a, seed),
        "QDax": lambda seed: peer_run(a.qdax_python, "_qdax_arm.py", seed, options),
    }
    side_by_side(runs, a.seeds, a.offset)


if __name__ == "__main__":
    main()
