"""Seed-chain GA vs float GA on a 1,000,000-parameter network: peak memory and time.

Each run is a fresh process (so its peak RSS is its own): ``GA("MlpPolicy",
"gymnax:CartPole-v1", pop_size=256, policy_kwargs={"net_arch": [1000, 1000]})`` (4 ->
1000 -> 1000 -> 2, 1,007,002 parameters), one episode of at most ``--steps`` steps per
individual, evaluated ``--batch`` individuals at a time, ``--gens`` generations. With
``encoding="float"`` the GA holds ``pop x params`` float32 (1.03 GB) and builds the next
population beside it; with ``encoding="seeds"`` it holds ``pop x max_generations`` uint32
and rebuilds parameters per evaluated slice.

A third run with a 4-unit hidden layer gives the process's own peak (JAX, the env, the
compiler), so the peaks can be read as what the parameters add. Prints per encoding: peak RSS, the train state's bytes, the saved model's bytes, and the
mean generation time after the first (compile) generation.

Usage: python benchmarks/seed_ga_memory.py [--gens 4] [--steps 50] [--batch 16]
"""

from __future__ import annotations

import argparse

import _common

CHILD = r"""
import json, os, resource, sys, tempfile, time
sys.path.insert(0, {bench!r})
import _common
_common.setup_cache()
import jax
from evotrain import GA

args = json.loads(sys.argv[1])
model = GA("MlpPolicy", "gymnax:CartPole-v1", pop_size=256, encoding=args["encoding"],
           selection="truncation", crossover_rate=0.0, max_generations=args["capacity"],
           policy_kwargs={{"net_arch": args["net_arch"]}}, max_episode_steps=args["steps"],
           pop_batch_size=args["batch"], seed=0)
model.learn(1)
start = time.perf_counter()
model.learn(args["gens"] - 1, reset_num_generations=False)
gen_s = (time.perf_counter() - start) / (args["gens"] - 1)
state_bytes = sum(x.nbytes for x in jax.tree_util.tree_leaves(model.train_state)
                  if hasattr(x, "nbytes"))
with tempfile.TemporaryDirectory() as tmp:
    path = model.save(os.path.join(tmp, "m"))
    saved = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(path) for f in fs)
print(json.dumps({{
    "params": model.policy.num_params,
    "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "state_bytes": state_bytes,
    "saved_bytes": saved,
    "gen_s": gen_s,
    "best": max(h["fitness_max"] for h in model.history),
}}))
"""


def run(encoding: str, gens: int, steps: int, batch: int, net_arch: list[int]) -> dict:
    import os

    bench = os.path.dirname(os.path.abspath(__file__))
    args = {
        "encoding": encoding,
        "gens": gens,
        "steps": steps,
        "batch": batch,
        "capacity": 1000,
        "net_arch": net_arch,
    }
    return _common.json_child(CHILD.format(bench=bench), args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gens", type=int, default=4)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--batch", type=int, default=16)
    a = parser.parse_args()
    print(_common.machine())
    gib = 2.0**30
    base = run("float", a.gens, a.steps, a.batch, [4])
    results = {enc: run(enc, a.gens, a.steps, a.batch, [1000, 1000]) for enc in ("seeds", "float")}
    params = results["float"]["params"]
    print(
        f"GA pop 256, {params:,} params, CartPole <= {a.steps} steps, pop_batch_size "
        f"{a.batch}, {a.gens} generations; pop x params float32 = {256 * params * 4 / gib:.2f} GiB"
    )
    print(f"{'encoding':<8} {'peak RSS':>10} {'state':>12} {'saved':>12} {'s/gen':>8} {'best':>6}")
    for enc, r in results.items():
        print(
            f"{enc:<8} {r['peak_rss'] / gib:>8.2f} G {r['state_bytes'] / 2**20:>10.2f} M "
            f"{r['saved_bytes'] / 2**20:>10.2f} M {r['gen_s']:>8.2f} {r['best']:>6.0f}"
        )
    over = {enc: r["peak_rss"] - base["peak_rss"] for enc, r in results.items()}
    print(
        f"the same process with a {base['params']}-parameter network peaks at "
        f"{base['peak_rss'] / gib:.2f} GiB; above that, seeds add {over['seeds'] / gib:.2f} GiB "
        f"and floats {over['float'] / gib:.2f} GiB ({over['seeds'] / over['float']:.3f}x)"
    )
    s, f = results["seeds"], results["float"]
    print(
        f"seeds/float: peak RSS {s['peak_rss'] / f['peak_rss']:.2f}x, state "
        f"{s['state_bytes'] / f['state_bytes']:.2g}x, saved {s['saved_bytes'] / f['saved_bytes']:.2g}x, "
        f"time per generation {s['gen_s'] / f['gen_s']:.2f}x"
    )


if __name__ == "__main__":
    main()
