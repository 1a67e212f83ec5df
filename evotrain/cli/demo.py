"""``make demo``: OpenAI-ES on gymnax CartPole-v1, then a deterministic evaluation.

Run with ``python -m evotrain.cli.demo [--generations N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import time

from evotrain import OpenES, evaluate_policy
from evotrain.runtime.host import use_compilation_cache


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="gymnax:CartPole-v1")
    parser.add_argument("--generations", type=int, default=30)
    parser.add_argument("--pop-size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    use_compilation_cache()  # $JAX_COMPILATION_CACHE_DIR (the Makefile sets it), per CPU model
    start = time.perf_counter()
    model = OpenES(
        "MlpPolicy",
        args.env,
        pop_size=args.pop_size,
        policy_kwargs={"net_arch": [16, 16]},
        seed=args.seed,
        verbose=1,
    )
    model.learn(args.generations)
    mean, std = evaluate_policy(model, model.get_env(), n_eval_episodes=10, deterministic=True)
    print(
        f"\nDeterministic evaluation over 10 episodes: {mean:.1f} +/- {std:.1f} "
        f"({model.num_timesteps} env steps, {time.perf_counter() - start:.1f} s in total)"
    )
    return mean


if __name__ == "__main__":
    main()
