"""Generations per second against device count: one population split over 1, 2, 4 devices.

Each device count runs in a fresh process. On a CPU the devices are forced with
``XLA_FLAGS=--xla_force_host_platform_device_count=N``: they share the machine's cores, each
running its slice on its own thread, so this measures what splitting costs or gains there
(a single device's rollout loop mostly keeps one core busy). On a machine with several GPUs,
``--real`` uses the devices it has (``devices=1 .. all``) and gives the real figures.

Cases: OpenES and NEAT on gymnax CartPole-v1 (pop 256) and brax hopper (``spring``, pop 64,
500-step episodes). Each run warms up (compile included) for ``--warmup`` generations, then
times ``--gens`` more; with the same seed, every device count trains the same population
(bitwise on gymnax; Brax's batched physics depends on the batch shape, so its figures
agree to that tolerance, see docs/multi_device.md).

Usage: python benchmarks/scaling.py [--devices 1,2,4] [--gens 5] [--warmup 2]
       [--cases cartpole-openes,...] [--real]
"""

from __future__ import annotations

import argparse
import os

import _common

CASES = {
    "cartpole-openes": (
        "OpenES",
        "gymnax:CartPole-v1",
        {"pop_size": 256, "policy_kwargs": {"net_arch": [16, 16]}},
    ),
    "cartpole-neat": ("NEAT", "gymnax:CartPole-v1", {"pop_size": 256}),
    "hopper-openes": (
        "OpenES",
        "brax:hopper",
        {"pop_size": 64, "env_kwargs": {"backend": "spring", "episode_length": 500}},
    ),
    "hopper-neat": (
        "NEAT",
        "brax:hopper",
        {"pop_size": 64, "env_kwargs": {"backend": "spring", "episode_length": 500}},
    ),
}

CHILD = r"""
import json, sys, time
sys.path.insert(0, {bench!r})
import _common
_common.setup_cache()
import jax
import evotrain

cases, n, gens, warmup = json.loads(sys.argv[1])
out = {{"device": str(jax.devices()[0].device_kind), "count": len(jax.devices())}}
for name, (algo, env, kwargs) in cases.items():
    policy = "FeedForward" if algo == "NEAT" else "MlpPolicy"
    model = getattr(evotrain, algo)(policy, env, devices=n, seed=0, **kwargs)
    model.learn(warmup)
    start = time.perf_counter()
    model.learn(gens, reset_num_generations=False)
    seconds = time.perf_counter() - start
    steps = sum(h["env_steps"] for h in model.history[warmup:])
    out[name] = {{"gen_per_s": gens / seconds, "steps_per_s": steps / seconds,
                 "fitness": model.history[-1]["fitness_max"]}}
print(json.dumps(out))
"""


def run(cases: dict, n: int, gens: int, warmup: int, force: bool) -> dict:
    bench = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ)
    if force:
        env["XLA_FLAGS"] = (
            env.get("XLA_FLAGS", "") + f" --xla_force_host_platform_device_count={n}"
        ).strip()
    return _common.json_child(CHILD.format(bench=bench), [cases, n, gens, warmup], env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", default="1,2,4")
    parser.add_argument("--gens", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--real", action="store_true", help="use the machine's own devices")
    args = parser.parse_args()
    print(_common.machine())
    cases = {c: CASES[c] for c in args.cases.split(",")}
    counts = [int(n) for n in args.devices.split(",")]
    results = {n: run(cases, n, args.gens, args.warmup, not args.real) for n in counts}
    first = results[counts[0]]
    kind = "forced CPU devices" if not args.real else "devices"
    print(f"device: {first['device']}; {kind}; {args.gens} timed generations after {args.warmup}")
    print(f"{'case':<16}" + "".join(f"{f'{n} dev gen/s':>14}" for n in counts) + "   ratio to 1")
    for name in cases:
        rates = [results[n][name]["gen_per_s"] for n in counts]
        ratios = " ".join(f"{r / rates[0]:.2f}" for r in rates)
        print(f"{name:<16}" + "".join(f"{r:>14.2f}" for r in rates) + f"   {ratios}")
        fits = {results[n][name]["fitness"] for n in counts}
        print(f"{'':<16}last best fitness on every count: {sorted(fits)}")


if __name__ == "__main__":
    main()
