"""MAP-Elites over NEAT genomes against MAP-Elites over a fixed MLP, same task and budget.

Both fill a grid over Brax hopper's ``feet_contact`` descriptor (the share of steps its
foot touched the ground) with ``--bins`` cells: the same batch size, generations, episode
length and seeds; the MLP (hidden ``--hidden``) takes iso-line children of its elites,
the NEAT networks NEAT's mutations (no speciation). Prints, per seed and on average,
coverage and QD score (offset ``--offset``) after every ``--report`` generations.

Usage: python benchmarks/qd_neat_vs_mlp.py [--gens 30] [--pop 64] [--steps 200]
       [--bins 32] [--seeds 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import _common
import numpy as np

from evotrain import MAPElites, NEATMAPElites


def run(kind: str, a: argparse.Namespace, seed: int) -> list[tuple[int, float, float]]:
    shared = {
        "pop_size": a.pop,
        "descriptor": "feet_contact",
        "bins": (a.bins,),
        "env_kwargs": {"backend": a.backend, "episode_length": a.steps},
        "qd_offset": a.offset,
        "seed": seed,
    }
    if kind == "MLP":
        model = MAPElites(
            "MlpPolicy", "brax:hopper", policy_kwargs={"net_arch": [a.hidden]}, **shared
        )
    else:
        model = NEATMAPElites("FeedForward", "brax:hopper", max_nodes=40, max_conns=80, **shared)
    out = []
    start = time.perf_counter()
    for done in range(a.report, a.gens + 1, a.report):
        model.learn(a.report, reset_num_generations=False)
        h = model.history[-1]
        out.append((done, h["strategy/coverage"], h["strategy/qd_score"]))
    print(f"  {kind} seed {seed}: {time.perf_counter() - start:.0f} s, {model._policy_summary()}")
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--gens", type=int, default=30)
    p.add_argument("--report", type=int, default=10)
    p.add_argument("--pop", type=int, default=64)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--bins", type=int, default=32)
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--backend", default="spring")
    p.add_argument("--offset", type=float, default=-100.0)
    p.add_argument("--seeds", type=int, default=2)
    a = p.parse_args()
    _common.setup_cache()
    print(f"# {_common.machine()}; {' '.join(sys.argv[1:])}")
    results = {kind: [run(kind, a, s) for s in range(a.seeds)] for kind in ("MLP", "NEAT")}
    for i, (done, _, _) in enumerate(results["MLP"][0]):
        row = [f"gen {done:4d}"]
        for kind, runs in results.items():
            cov = [r[i][1] for r in runs]
            qd = [r[i][2] for r in runs]
            row.append(
                f"{kind}: coverage {statistics.mean(cov):.3f} +- {statistics.pstdev(cov):.3f}, "
                f"QD {statistics.mean(qd):.0f} +- {statistics.pstdev(qd):.0f}"
            )
        print("   ".join(row))
    final = {k: np.mean([r[-1][1] for r in v]) for k, v in results.items()}
    print(f"final coverage NEAT / MLP: {final['NEAT'] / final['MLP']:.3f}")


if __name__ == "__main__":
    main()
