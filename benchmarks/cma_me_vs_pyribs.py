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
import sys

import _common
import jax.numpy as jnp
from qd_vs_qdax import arm_arguments, arm_run, peer_run, side_by_side

from evotrain.qd import GridLayout
from evotrain.strategies.cma_me import CMAMEConfig, CMAMEStrategy


def evotrain_run(a: argparse.Namespace, seed: int) -> dict:
    layout = GridLayout((a.grid, a.grid), (0.0, 0.0), (1.0, 1.0))
    config = CMAMEConfig(a.batch, a.dims, layout, sigma0=a.sigma0)
    centre = lambda key: jnp.full((a.dims,), 0.5)  # noqa: E731
    strategy = CMAMEStrategy(config, initializer=centre)
    return arm_run(strategy, strategy.default_params, a.iters, seed)


def main() -> None:
    p = arm_arguments("ribs")
    p.add_argument("--sigma0", type=float, default=0.1)
    a = p.parse_args()
    _common.setup_cache()
    print(f"# {_common.machine()}; {' '.join(sys.argv[1:])}")
    options = {k: getattr(a, k) for k in ("dims", "batch", "iters", "grid", "sigma0")}
    runs = {
        "evotrain": lambda seed: evotrain_run(a, seed),
        "pyribs": lambda seed: peer_run(a.ribs_python, "_pyribs_arm.py", seed, options),
    }
    side_by_side(runs, a.seeds, a.offset)


if __name__ == "__main__":
    main()
