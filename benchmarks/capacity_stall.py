"""Does reaching a capacity level stop a NEAT run to compile? Per-generation wall time of a
NEAT run on Brax hopper, with the next level compiled in the background ahead of need
(``learn``'s default for long runs on an accelerator; forced on here when the run is on
the CPU) and with every level compiled on need, each in a fresh process without the
persistent compilation cache.

Reports each arm's median and slowest generation (after the first, which compiles the
starting level in both arms), their ratio, and the generations at which the capacity
level changed. Target (issue 30): no generation slower than 1.5x the median.

Usage: python benchmarks/capacity_stall.py [--pop 64] [--steps 100] [--generations 60]
"""

from __future__ import annotations

import argparse
import json

import _common

CHILD = r"""
import json, sys, time
args = json.loads(sys.argv[1])
import jax
from evotrain import NEAT
from evotrain.training import pace

pace.COMPILE_AHEAD_ON_CPU = args["ahead"]  # off by default on the CPU (see pace.py)
if not args["ahead"]:
    pace.COMPILE_AHEAD_LEFT = 10**9  # never: every level compiles when it is needed
model = NEAT("FeedForward", "brax:hopper", pop_size=args["pop"], seed=0,
             env_kwargs={"backend": "spring", "episode_length": args["steps"]},
             node_add=0.3, conn_add=0.5)
program = model._step
levels = []
class Levels:
    def __call__(self, locals_):
        levels.append(program.level(model.train_state))
        return True
model.learn(args["generations"], callback=Levels(), generations_per_dispatch=1)
print(json.dumps({"times": [h["time_s"] for h in model.history], "levels": levels,
                  "best": float(model.train_state.best_fitness)}))
"""


def arm(args: argparse.Namespace, ahead: bool) -> dict:
    payload = {"ahead": ahead, "pop": args.pop, "steps": args.steps}
    payload["generations"] = args.generations
    out = _common.json_child(CHILD, payload)
    times = out["times"][1:]  # the first generation compiles the starting level in both arms
    median = _common.median(times)
    changes = [i + 2 for i, (a, b) in enumerate(zip(out["levels"], out["levels"][1:])) if a != b]
    return {
        "median_s": median,
        "max_s": max(times),
        "max_over_median": max(times) / median,
        "slowest_generation": 2 + times.index(max(times)),
        "level_changes_after": changes,
        "best": out["best"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pop", type=int, default=64)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--generations", type=int, default=60)
    parser.add_argument("--json", default=None, help="write the results to this file")
    args = parser.parse_args()
    print(_common.machine())
    print(f"NEAT on brax:hopper (spring), pop {args.pop} x {args.steps} steps, "
          f"{args.generations} generations, one per dispatch")  # fmt: skip
    results = {}
    for ahead in (False, True):
        name = "compiled ahead" if ahead else "compiled on need"
        r = results[name] = arm(args, ahead)
        print(
            f"{name:17s} median {r['median_s']:.3f} s, slowest {r['max_s']:.3f} s "
            f"(generation {r['slowest_generation']}): {r['max_over_median']:.2f}x the median; "
            f"level changed after generations {r['level_changes_after']}",
            flush=True,
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
