"""pyribs' half of ``cma_me_vs_pyribs.py``: its CMA-ME (an ``EvolutionStrategyEmitter``
with two-stage improvement ranking) or CMA-MAE on the planar arm. Run by that script with
the Python of an environment that has ``ribs``; prints one JSON line. Imports nothing of
evotrain."""

from __future__ import annotations

import argparse
import json
import time
from importlib import metadata

import numpy as np
from ribs.archives import GridArchive
from ribs.emitters import EvolutionStrategyEmitter
from ribs.schedulers import Scheduler


def arm(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The planar arm, as in ``qd_vs_qdax.arm`` (NumPy)."""
    x = np.clip(x, 0.0, 1.0)
    angles = np.cumsum(2 * np.pi * x - np.pi, axis=1)
    n = x.shape[1]
    pos = np.stack([np.cos(angles).sum(1), np.sin(angles).sum(1)], axis=1) / (2 * n)
    return -np.std(x, axis=1), pos + 0.5


def main() -> None:
    p = argparse.ArgumentParser()
    for name in ("dims", "batch", "iters", "grid", "seed"):
        p.add_argument(f"--{name}", type=int, required=True)
    p.add_argument("--sigma0", type=float, required=True)
    p.add_argument("--learning-rate", type=float, default=1.0)
    p.add_argument("--threshold-min", type=float, default=-np.inf)
    a = p.parse_args()
    mae = a.learning_rate < 1.0
    ranges = [(0.0, 1.0), (0.0, 1.0)]
    kwargs = {"learning_rate": a.learning_rate, "threshold_min": a.threshold_min} if mae else {}
    archive = GridArchive(
        solution_dim=a.dims, dims=[a.grid, a.grid], ranges=ranges, seed=a.seed, **kwargs
    )
    result = GridArchive(solution_dim=a.dims, dims=[a.grid, a.grid], ranges=ranges) if mae else None
    emitter = EvolutionStrategyEmitter(
        archive,
        x0=np.full(a.dims, 0.5),
        sigma0=a.sigma0,
        ranker="imp" if mae else "2imp",
        selection_rule="mu",
        restart_rule="basic" if mae else "no_improvement",
        batch_size=a.batch,
        seed=a.seed,
    )
    scheduler = Scheduler(archive, [emitter], result_archive=result)
    start = time.perf_counter()
    for _ in range(a.iters):
        solutions = scheduler.ask()
        fitness, descriptors = arm(solutions)
        scheduler.tell(fitness, descriptors)
    run_s = time.perf_counter() - start
    final = scheduler.result_archive
    fitness = np.full(a.grid * a.grid, None, object)
    data = final.data()
    fitness[data["index"]] = data["objective"]
    print(
        json.dumps(
            {
                "compile_s": 0.0,
                "per_iter_s": run_s / a.iters,
                "fitness": [None if f is None else float(f) for f in fitness],
                "versions": {"ribs": metadata.version("ribs"), "numpy": np.__version__},
            }
        )
    )


if __name__ == "__main__":
    main()
