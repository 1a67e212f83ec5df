"""Host envs in-process and on Ray workers: env steps/s against one core's raw env speed.

    python benchmarks/host_scaling.py                     # Gymnasium Hopper-v5, pop 64
    python benchmarks/host_scaling.py --env CartPole-v1 --generations 3

Runs, in one process:

1. the raw env: one Gymnasium env stepped with random actions (resets included), on one
   core, just before and after each run: the speed every host path is measured against;
2. OpenES (MLP [16]) evaluated in-process;
3. the same OpenES on a local Ray with 1 and 2 workers (seeds payload), and with 2
   workers shipping parameters instead of seeds.

Prints env steps/s and the ratios to the raw env, the bytes sent to workers per
generation for each payload, and checks that every run gives the same fitness history.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
from _common import machine, setup_cache


def raw_env_speed(env_id: str, steps: int, seed: int = 0) -> float:
    """Env steps/s of one env with random actions, resets included."""
    import gymnasium

    env = gymnasium.make(env_id)
    env.action_space.seed(seed)
    env.reset(seed=seed)
    actions = [env.action_space.sample() for _ in range(steps)]
    start = time.perf_counter()
    for a in actions:
        _, _, terminated, truncated, _ = env.step(a)
        if terminated or truncated:
            env.reset()
    return steps / (time.perf_counter() - start)


def run(env_id: str, args: argparse.Namespace, **kwargs) -> dict:
    from evotrain import OpenES

    raw_before = raw_env_speed(env_id, args.raw_steps)
    model = OpenES(
        "MlpPolicy",
        f"gymnasium:{env_id}",
        pop_size=args.pop_size,
        policy_kwargs={"net_arch": [16]},
        seed=0,
        **kwargs,
    )
    model.learn(1)  # compiles, starts the workers
    before = model.num_timesteps
    start = time.perf_counter()
    model.learn(args.generations, reset_num_generations=False)
    seconds = time.perf_counter() - start
    steps = model.num_timesteps - before
    raw = (raw_env_speed(env_id, args.raw_steps) + raw_before) / 2
    evaluator = model._step.evaluate
    out = {
        "steps_per_s": steps / seconds,
        "raw_steps_per_s": raw,
        "gen_s": seconds / args.generations,
        "env_steps": steps,
        "sent_bytes": getattr(evaluator, "sent_bytes", 0),
        "history": [np.asarray(h["fitness"]).tolist() for h in model.history],
    }
    model.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="Hopper-v5")
    parser.add_argument("--pop-size", type=int, default=64)
    parser.add_argument("--generations", type=int, default=10)
    parser.add_argument("--raw-steps", type=int, default=10_000)
    parser.add_argument("--out", default=None, help="also write the results as JSON")
    args = parser.parse_args()
    setup_cache()
    import ray

    results = {"in-process": run(args.env, args)}
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    for name, kwargs in (
        ("ray 1 worker", {"n_workers": 1}),
        ("ray 2 workers", {"n_workers": 2}),
        ("ray 2 workers, params", {"n_workers": 2, "ray_payload": "params"}),
    ):
        results[name] = run(args.env, args, evaluator="ray", **kwargs)
    ray.shutdown()

    print(f"machine: {machine()}")
    print(
        f"config: OpenES pop {args.pop_size}, MLP [16], Gymnasium {args.env}, "
        f"{args.generations} timed generations after 1 warm-up"
    )
    print(
        "raw env: one env on one core, random actions, resets included, measured just "
        "before and after each run (the machine is shared and noisy)"
    )
    print(
        f"{'evaluation':<24} {'steps/s':>9} {'raw':>7} {'x raw':>6} {'s/gen':>7} {'sent/gen':>10}"
    )
    for name, r in results.items():
        sent = f"{r['sent_bytes'] / 1024:.1f} KiB" if r["sent_bytes"] else "-"
        print(
            f"{name:<24} {r['steps_per_s']:>9,.0f} {r['raw_steps_per_s']:>7,.0f} "
            f"{r['steps_per_s'] / r['raw_steps_per_s']:>6.2f} {r['gen_s']:>7.2f} {sent:>10}"
        )
    same = all(r["history"] == results["in-process"]["history"] for r in results.values())
    print(f"identical fitness histories: {same}")
    if args.out:
        record = {
            "machine": machine(),
            "env": args.env,
            "pop_size": args.pop_size,
            "identical": same,
            "results": {
                k: {n: v for n, v in r.items() if n != "history"} for k, r in results.items()
            },
        }
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    main()
