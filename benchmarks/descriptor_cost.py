"""What behaviour descriptors cost a population's evaluation, and that none costs nothing.

For each env, one jitted population evaluator per descriptor choice (none, then each
descriptor the env declares), side by side in one process: compiled-program size (HLO
instructions), the rollout loop's carried arrays, and the median seconds per evaluation.
"No descriptor" must compile to the very program an evotrain without descriptors built:
run this script on both (it measures only the "(none)" row where envs declare no
descriptors) and compare that row's program fingerprint (a hash of the optimized HLO
without source locations), op count, carried arrays and time.

    python benchmarks/descriptor_cost.py [--pop 256] [--repeats 7]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import time

import jax
from _common import block, machine, median

from evotrain.envs import make_env
from evotrain.evaluation import EvalConfig, init_norm, make_evaluator
from evotrain.networks import MLP

CASES = {
    "gymnax:CartPole-v1": {"max_steps": 200},
    "brax:hopper": {"episode_length": 100},
}


def loop_carries(lowered_text: str) -> int:
    """The number of arrays the first ``while`` loop of a lowered program carries."""
    for line in lowered_text.splitlines():
        if "stablehlo.while" in line and "(" in line:
            return line.split("(", 1)[1].split(")", 1)[0].count("%")
    return -1


def fingerprint(compiled_text: str) -> str:
    """A short hash of an optimized program with its source locations left out (they move
    when code is edited; the program does not): each instruction's metadata and the
    file, function and stack-frame tables."""
    kept, skipping = [], False
    for line in compiled_text.splitlines():
        if line in ("FileNames", "FunctionNames", "FileLocations", "StackFrames"):
            skipping = True
        elif not line.strip():
            skipping = False
        elif not skipping:
            kept.append(re.sub(r",? metadata=\{[^}]*\}", "", line))
    return hashlib.sha256("\n".join(kept).encode()).hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pop", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    # No persistent compilation cache: a program loaded from it prints differently.
    print(machine())
    print(f"population {args.pop}, one episode each, median of {args.repeats} evaluations\n")
    print(
        f"{'env':20} {'descriptor':13} {'program':>12} {'HLO ops':>7} {'carried':>7} "
        f"{'s / eval':>8} {'ratio':>5}"
    )
    for env_id, kwargs in CASES.items():
        env = make_env(env_id, **kwargs)
        net = MLP((env.spec.obs_size, 32, env.spec.num_outputs))
        key = jax.random.key(0)
        population = jax.vmap(net.init)(jax.random.split(key, args.pop))
        norm = init_norm(env.spec.obs_size)
        base = None
        # (An evotrain without descriptors measures its one program: compare its row.)
        declared = env.descriptors() if hasattr(env, "descriptors") else {}
        for name in (None, *declared):
            config = EvalConfig() if name is None else EvalConfig(descriptor=name)
            evaluate = jax.jit(make_evaluator(env, net, config))
            lowered = evaluate.lower(key, population, norm)
            text = lowered.as_text()
            compiled = lowered.compile()
            optimized = compiled.as_text()
            ops = optimized.count("\n")
            block(compiled(key, population, norm))
            times = []
            for i in range(args.repeats):
                start = time.perf_counter()
                block(compiled(jax.random.fold_in(key, i), population, norm))
                times.append(time.perf_counter() - start)
            t = median(times)
            base = t if base is None else base
            print(
                f"{env_id:20} {name or '(none)':13} {fingerprint(optimized):>12} {ops:7d} "
                f"{loop_carries(text):7d} {t:8.4f} {t / base:5.2f}"
            )


if __name__ == "__main__":
    main()
