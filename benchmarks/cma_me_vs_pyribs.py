"""evotrain's CMA-ME against pyribs' on the planar arm task, side by side in one run.

The task and the QD score are ``qd_vs_qdax.py``'s. Both sides run one CMA-ES emitter of
``--batch`` candidates per iteration, started at the box's centre with step size
``--sigma0``, ranked by two-stage improvement (new cells first, then by improvement over
the cell's elite), updated from the better half (pyribs' ``selection_rule="mu"``), and
restarted from a random elite when an iteration adds nothing
(``restart_rule="no_improvement"``), for ``--iters`` iterations. evotrain runs its loop as
one jitted ``lax.scan`` (timed after compilation); pyribs (NumPy) runs in its own
environment's Python (``--ribs-python``), one process per seed. The CMA-ES itself differs:
evotrain's is evosax's ``CMA_ES``, pyribs' its own.

Usage: python benchmarks/cma_me_vs_pyribs.py --ribs-python /path/to/env/bin/python
       [--dims 100] [--batch 100] [--iters 1000] [--grid 50] [--seeds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import _common
import jax
import jax.numpy as jnp
import numpy as np
from qd_vs_qdax import arm, scores

from evotrain.evaluation.result import Evaluation
from evotrain.qd import GridLayout
from evotrain.strategies.cma_me import CMAMEConfig, CMAMEStrategy


def evotrain_run(a: argparse.Namespace, seed: int) -> dict:
    layout = GridLayout((a.grid, a.grid), (0.0, 0.0), (1.0, 1.0))
    config = CMAMEConfig(a.batch, a.dims, layout, sigma0=a.sigma0)
    centre = lambda key: jnp.full((a.dims,), 0.5)  # noqa: E731
    strategy = CMAMEStrategy(config, initializer=centre)
    params = strategy.default_params

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
        state, _ = jax.lax.scan(generation, state, jax.random.split(k_run, a.iters))
        return state.archive.fitness

    key = jax.random.key(seed)
    start = time.perf_counter()
    compiled = run.lower(key).compile()
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    fitness = np.asarray(jax.block_until_ready(compiled(key)))
    return {
        "compile_s": compile_s,
        "per_iter_s": (time.perf_counter() - start) / a.iters,
        "fitness": fitness,
    }


def ribs_run(a: argparse.Namespace, seed: int) -> dict:
    script = Path(__file__).with_name("_pyribs_arm.py")
    args = [a.ribs_python, str(script), "--seed", str(seed), "--sigma0", str(a.sigma0)]
    args += ["--dims", str(a.dims), "--batch", str(a.batch), "--iters", str(a.iters)]
    args += ["--grid", str(a.grid)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["fitness"] = np.asarray(
        [-np.inf if f is None else f for f in result["fitness"]], np.float32
    )
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ribs-python", required=True)
    p.add_argument("--dims", type=int, default=100)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--iters", type=int, default=1000)
    p.add_argument("--grid", type=int, default=50)
    p.add_argument("--sigma0", type=float, default=0.1)
    p.add_argument("--offset", type=float, default=-1.0)
    p.add_argument("--seeds", type=int, default=3)
    a = p.parse_args()
    _common.setup_cache()
    print(f"# {_common.machine()}; {' '.join(sys.argv[1:])}")
    rows: dict[str, list[tuple[float, float, float]]] = {"evotrain": [], "pyribs": []}
    for seed in range(a.seeds):
        for name, fn in (("evotrain", evotrain_run), ("pyribs", ribs_run)):
            r = fn(a, seed)
            qd, cov = scores(r["fitness"], a.offset)
            rows[name].append((qd, cov, r["per_iter_s"]))
            print(
                f"seed {seed} {name:8s} qd {qd:9.2f}  coverage {cov:.4f}  "
                f"{1e3 * r['per_iter_s']:.3f} ms/iter"
                + (f"  ({r['versions']})" if "versions" in r else "")
            )
    for i, what in enumerate(("QD score", "coverage", "s per iteration")):
        e = [row[i] for row in rows["evotrain"]]
        q = [row[i] for row in rows["pyribs"]]
        print(
            f"{what:16s} evotrain {statistics.mean(e):.5g} +- {statistics.pstdev(e):.2g}   "
            f"pyribs {statistics.mean(q):.5g} +- {statistics.pstdev(q):.2g}   "
            f"ratio {statistics.mean(e) / statistics.mean(q):.3f}"
        )


if __name__ == "__main__":
    main()
