"""evotrain NEAT side by side with neat-python 2.0, and against the raw env cost.

Parts (pick with ``--parts``; all by default):

- ``xor-seeds``: XOR (fitness 4 - SSE, solved at >= 3.9, pop 150, up to 300 generations)
  on the same seeds for evotrain presets and for neat-python with matched hyperparameters:
  solved count, mean/median generations to solve (1-based: the initial population is
  generation 1), mean hidden nodes of the winners. A fitness of 3.9 means every squared
  error is at most 0.1, so every output is on the right side of 0.5.
- ``xor-time``: per-generation time on XOR at several population sizes (max_nodes 50,
  max_conns 100, preset ``neat-python-xor``): rounds of ``--round-gens`` generations on each
  side, alternating in this process; evotrain runs them in dispatches of
  ``--per-dispatch`` generations of its compiled program, as ``learn`` does.
- ``cartpole-time``: per-generation time on CartPole-v1 (evotrain on gymnax, neat-python on
  Gymnasium, one episode of up to 500 steps per genome), with env steps per generation.
- ``floor``: evotrain NEAT generation time over the constant-action env floor
  (:mod:`_common`) for gymnax CartPole-v1 (pop 1000 x 500 steps) and Brax hopper
  ``spring`` (pop 256 x 1000 steps).
- ``compile``: wall time to trace, lower and compile one XOR generation (no persistent
  cache), the median over fresh models, after the process's one-time XLA start-up.
- ``rss``: peak resident memory of a fresh process that builds and runs XOR generations at
  pop 10,000.

Usage: python benchmarks/neat_vs_neat_python.py [--parts xor-seeds xor-time ...] [--seeds 100]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from typing import Any

import _common
import _neat_python
import jax
import numpy as np

XOR_THRESHOLD = 3.9


def xor_problem():
    """XOR with neat-python's fitness, 4 - sum of squared errors."""
    from evotrain.envs import FunctionFit

    xor = FunctionFit.xor()
    return FunctionFit(
        xor.inputs,
        xor.targets,
        metric=lambda outputs, targets: 4.0 - ((outputs - targets) ** 2).sum(),
        name="xor",
    )


# ------------------------------------------------------------------------- XOR seeds
def evotrain_xor_seeds(
    preset: str | None,
    seeds: list[int],
    pop: int,
    max_gens: int,
    problem: Any = None,
    threshold: float = XOR_THRESHOLD,
    overrides: dict[str, Any] | None = None,
) -> list[dict]:
    """Runs evotrain NEAT on XOR once per seed, reusing one compiled generation step.

    Args:
        preset: a NEAT preset, or None for NEAT's defaults.
        seeds: one run per seed.
        pop: population size.
        max_gens: generations before a run counts as unsolved.
        problem: the env (default: XOR scored ``4 - SSE``).
        threshold: the best fitness that counts as solved.
        overrides: NEAT keywords on top of the preset.
    """
    from evotrain import NEAT
    from evotrain.training import init_train_state

    problem = problem if problem is not None else xor_problem()
    model = NEAT("FeedForward", problem, preset=preset, pop_size=pop, seed=0, **(overrides or {}))
    init = jax.jit(lambda key: init_train_state(key, model.strategy, model.strategy_params, 2))
    num_io = model.policy.config.num_io
    results = []
    for seed in seeds:
        ts = init(jax.random.key(seed))
        solved_at, hidden = None, None
        for gen in range(1, max_gens + 1):
            ts, metrics = model._step(ts)
            m = jax.device_get(metrics)
            if float(m["fitness_max"]) >= threshold:
                solved_at, hidden = gen, int(m["strategy/best_nodes"]) - num_io
                break
        results.append({"seed": seed, "solved_at": solved_at, "hidden": hidden})
    return results


def neat_python_xor_seeds(preset: str, seeds: list[int], pop: int, max_gens: int) -> list[dict]:
    """neat-python with ``preset``'s hyperparameters, same seeds."""
    from evotrain.neat.presets import get_preset

    config = _neat_python.make_config(get_preset(preset), 2, 1, pop, XOR_THRESHOLD)
    results = []
    for seed in seeds:
        out = _neat_python.run(config, _neat_python.xor_eval, max_gens, seed)
        solved = out["solved_at"]
        results.append(
            {
                "seed": seed,
                "solved_at": None if solved is None else solved + 1,
                "hidden": out["best_hidden"] if solved is not None else None,
            }
        )
    return results


def summarize(results: list[dict]) -> dict[str, Any]:
    gens = [r["solved_at"] for r in results if r["solved_at"] is not None]
    hidden = [r["hidden"] for r in results if r["solved_at"] is not None]
    return {
        "solved": len(gens),
        "runs": len(results),
        "mean_gens": statistics.mean(gens) if gens else float("nan"),
        "median_gens": statistics.median(gens) if gens else float("nan"),
        "max_gens": max(gens) if gens else None,
        "mean_hidden": statistics.mean(hidden) if hidden else float("nan"),
    }


def part_xor_seeds(args: argparse.Namespace) -> dict[str, Any]:
    seeds = list(range(args.seeds))
    out = {}
    rows = [
        ("evotrain", "xor", evotrain_xor_seeds),
        ("evotrain", "neat-python-xor", evotrain_xor_seeds),
        ("neat-python", "neat-python-xor", neat_python_xor_seeds),
    ]
    print(
        f"\n== XOR, pop {args.xor_pop}, up to {args.max_gens} generations, seeds 0-{seeds[-1]} =="
    )
    for who, preset, fn in rows:
        start = time.perf_counter()
        results = fn(preset, seeds, args.xor_pop, args.max_gens)
        s = summarize(results)
        s["wall_s"] = time.perf_counter() - start
        out[f"{who}/{preset}"] = s
        print(
            f"{who:12s} {preset:16s} solved {s['solved']}/{s['runs']}, generations mean "
            f"{s['mean_gens']:.1f} median {s['median_gens']:.1f} max {s['max_gens']}, "
            f"hidden nodes {s['mean_hidden']:.2f}  ({s['wall_s']:.0f} s)"
        )
    return out


# ---------------------------------------------------------------------- XOR timing
def part_xor_time(args: argparse.Namespace) -> dict[str, Any]:
    """Per-generation time on XOR, rounds of ``--round-gens`` generations on each side,
    alternating: evotrain in dispatches of ``--per-dispatch`` generations of its compiled
    program (``learn`` chooses 32 here), neat-python one ``run`` of the round."""
    import neat

    from evotrain import NEAT
    from evotrain.neat.presets import get_preset

    out = {}
    k, gens = args.per_dispatch, args.round_gens
    for pop in args.xor_pops:
        model = NEAT(
            "FeedForward",
            xor_problem(),
            preset="neat-python-xor",
            pop_size=pop,
            max_nodes=50,
            max_conns=100,
            seed=0,
        )
        program = model._step
        ts = program.ready(model.train_state)
        for _ in range(args.warmup):
            ts, _ = program.run(ts, 1)
        config = _neat_python.make_config(get_preset("neat-python-xor"), 2, 1, pop, 1e9)
        population = neat.Population(config, seed=0)
        for _ in range(args.warmup):
            population.run(_neat_python.xor_eval, 1)
        ours, theirs = [], []
        for _ in range(args.rounds):
            start, left = time.perf_counter(), gens
            while left:  # a dispatch stops early where a capacity level changes
                ts, chunk = program.run(ts, min(k, program.size, left))
                left -= int(chunk.done)
            ours.append((time.perf_counter() - start) / gens)
            start = time.perf_counter()
            population.run(_neat_python.xor_eval, gens)
            theirs.append((time.perf_counter() - start) / gens)
        a, b = _common.median(ours), _common.median(theirs)
        out[pop] = {"evotrain_ms": a * 1e3, "neat_python_ms": b * 1e3, "ratio": a / b, "k": k}
        print(
            f"XOR pop {pop:6d}, rounds of {gens} generations, {k} per dispatch: evotrain "
            f"{a * 1e3:8.2f} ms/gen, neat-python {b * 1e3:8.1f} ms/gen, "
            f"evotrain/neat-python {a / b:.3f}",
            flush=True,
        )
    return out


# ----------------------------------------------------------------- CartPole timing
def _neat_python_cartpole_eval(seed: int):
    import gymnasium
    import neat

    env = gymnasium.make("CartPole-v1")
    counter = {"episodes": 0, "steps": 0}

    def evaluate(genomes: list, config: Any) -> None:
        for _, genome in genomes:
            net = neat.nn.FeedForwardNetwork.create(genome, config)
            obs, _ = env.reset(seed=seed + counter["episodes"])
            counter["episodes"] += 1
            total, done = 0.0, False
            while not done:
                action = int(np.argmax(net.activate(obs)))
                obs, reward, terminated, truncated, _ = env.step(action)
                total += float(reward)
                counter["steps"] += 1
                done = terminated or truncated
            genome.fitness = total

    return evaluate, counter


def part_cartpole_time(args: argparse.Namespace) -> dict[str, Any]:
    import neat

    from evotrain import NEAT
    from evotrain.neat.presets import get_preset

    out = {}
    for pop in args.cartpole_pops:
        model = NEAT(
            "FeedForward", "gymnax:CartPole-v1", preset="neat-python-xor", pop_size=pop, seed=0
        )
        step = model._step  # one generation per call
        ts = step.ready(model.train_state)
        config = _neat_python.make_config(get_preset("neat-python-xor"), 4, 2, pop, 1e9)
        population = neat.Population(config, seed=0)
        evaluate, counter = _neat_python_cartpole_eval(0)
        ours, theirs, our_steps, their_steps = [], [], [], []
        for _ in range(args.cartpole_gens):
            start = time.perf_counter()
            ts, metrics = step(ts)
            m = jax.device_get(metrics)
            ours.append(time.perf_counter() - start)
            our_steps.append(int(m["env_steps"]))
            before = counter["steps"]
            start = time.perf_counter()
            population.run(evaluate, 1)
            theirs.append(time.perf_counter() - start)
            their_steps.append(counter["steps"] - before)
        a, b = sum(ours), sum(theirs)
        sa, sb = sum(our_steps), sum(their_steps)
        out[pop] = {
            "evotrain_s_per_gen": a / len(ours),
            "neat_python_s_per_gen": b / len(theirs),
            "ratio_per_gen": a / b,
            "evotrain_steps_per_gen": sa / len(ours),
            "neat_python_steps_per_gen": sb / len(theirs),
            "ratio_per_step": (a / sa) / (b / sb),
        }
        r = out[pop]
        print(
            f"CartPole pop {pop:5d}, generations 1-{args.cartpole_gens}: evotrain "
            f"{r['evotrain_s_per_gen'] * 1e3:.1f} ms/gen ({r['evotrain_steps_per_gen']:.0f} "
            f"steps), neat-python {r['neat_python_s_per_gen'] * 1e3:.1f} ms/gen "
            f"({r['neat_python_steps_per_gen']:.0f} steps); per generation "
            f"{r['ratio_per_gen']:.4f}, per env step {r['ratio_per_step']:.4f}"
        )
    return out


# ------------------------------------------------------------------- env floors
FLOOR_TASKS = {
    "cartpole": {"pop": 1000, "steps": 500, "warmup": 20},
    "hopper": {"pop": 256, "steps": 1000, "warmup": 20},
}


def _floor_model(task: str, pop: int, steps: int):
    from evotrain import NEAT

    if task == "cartpole":
        return NEAT(
            "FeedForward",
            "gymnax:CartPole-v1",
            preset="tensorneat",
            pop_size=pop,
            max_episode_steps=steps,
            seed=0,
        )
    return NEAT(
        "FeedForward",
        "brax:hopper",
        preset="tensorneat",
        pop_size=pop,
        env_kwargs={"backend": "spring", "episode_length": steps},
        seed=0,
    )


def part_floor(args: argparse.Namespace) -> dict[str, Any]:
    out = {}
    for task in args.floor_tasks:
        cfg = FLOOR_TASKS[task]
        pop, steps = cfg["pop"], cfg["steps"]
        if task == "cartpole":
            floor = _common.gymnax_floor("CartPole-v1", pop, steps)
        else:
            floor = _common.brax_floor("hopper", "spring", pop, steps)
        _common.block(floor(jax.random.key(0)))
        model = _floor_model(task, pop, steps)
        step = model._step  # one generation per call
        ts = step.ready(model.train_state)
        for _ in range(cfg["warmup"]):
            ts, metrics = step(ts)
        best = float(jax.device_get(metrics)["fitness_max"])
        floors, ours, frac, iters = [], [], [], []
        for r in range(args.rounds):
            floors.append(_common.timed(lambda r=r, f=floor: f(jax.random.key(r + 1))))
            start = time.perf_counter()
            ts, metrics = step(ts)
            m = jax.device_get(metrics)
            ours.append(time.perf_counter() - start)
            frac.append(int(m["env_steps"]) / (pop * steps))
            iters.append(int(m["episode_length_max"]))
        f, a = _common.median(floors), _common.median(ours)
        per_lane = _common.median([t / (i * pop) for t, i in zip(ours, iters)]) / (
            f / (pop * steps)
        )
        out[task] = {
            "floor_s": f,
            "evotrain_s": a,
            "gen_over_floor": a / f,
            "steps_frac": float(np.median(frac)),
            "loop_iters": float(np.median(iters)),
            "per_lane_step_over_floor": per_lane,
            "best_return_after_warmup": best,
        }
        print(
            f"{task}: pop {pop} x {steps}: floor {f:.3f} s, evotrain NEAT {a:.3f} s/gen, "
            f"gen/floor {a / f:.2f}; env steps {np.median(frac):.1%} of pop x steps, rollout "
            f"loop {np.median(iters):.0f} iterations, per lane-step {per_lane:.2f}x the floor; "
            f"best return after {cfg['warmup']} generations {best:.1f}"
        )
    return out


# ------------------------------------------------------------ compile time and RSS
def part_compile(args: argparse.Namespace) -> dict[str, Any]:
    from evotrain import NEAT
    from evotrain.training.compile import jit_program

    jax.config.update("jax_enable_compilation_cache", False)
    out: dict[str, Any] = {}
    # XLA's one-time start-up (LLVM, thread pools) is paid by the first compile of a
    # process, whatever it is; it is timed separately, on a tiny program.
    start = time.perf_counter()
    jit_program(lambda x: x * 2.0 + 1.0).lower(jax.numpy.ones(3)).compile()
    out["first_tiny_compile_s"] = time.perf_counter() - start
    print(f"first compile of the process (a tiny program): {out['first_tiny_compile_s']:.2f} s")
    for pop in (150, 1000):
        times = []
        for seed in range(args.compile_repeats):
            model = NEAT("FeedForward", "xor", pop_size=pop, max_nodes=50, max_conns=100, seed=seed)
            start = time.perf_counter()
            model._step.lower(model.train_state).compile()
            times.append(time.perf_counter() - start)
        out[pop] = {"median_s": statistics.median(times), "runs_s": times}
        print(
            f"compile one XOR generation, pop {pop}: median {statistics.median(times):.1f} s "
            f"over {len(times)} fresh models ({', '.join(f'{t:.1f}' for t in times)})"
        )
    return out


def _rss_child(pop: int, gens: int) -> None:
    from evotrain import NEAT

    model = NEAT("FeedForward", "xor", pop_size=pop, max_nodes=50, max_conns=100, seed=0)
    model.learn(gens)
    # VmHWM is this process image's own peak. ru_maxrss is not: Linux carries it over
    # fork + exec, so a child of a large parent would report the parent's peak.
    with open("/proc/self/status", encoding="ascii") as f:
        peak_kib = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    print(json.dumps({"peak_rss_mib": peak_kib / 1024}))


def part_rss(args: argparse.Namespace) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--rss-child", str(args.rss_pop)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"peak RSS, XOR pop {args.rss_pop}, 5 generations: {result['peak_rss_mib']:.0f} MiB")
    return result


PARTS = {
    "xor-seeds": part_xor_seeds,
    "xor-time": part_xor_time,
    "cartpole-time": part_cartpole_time,
    "floor": part_floor,
    "compile": part_compile,
    "rss": part_rss,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", choices=list(PARTS), default=list(PARTS))
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--xor-pop", type=int, default=150)
    parser.add_argument("--max-gens", type=int, default=300)
    parser.add_argument("--xor-pops", type=int, nargs="+", default=[150, 1000, 10000])
    parser.add_argument("--cartpole-pops", type=int, nargs="+", default=[150, 1000])
    parser.add_argument("--cartpole-gens", type=int, default=10)
    parser.add_argument("--floor-tasks", nargs="+", default=list(FLOOR_TASKS))
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--per-dispatch", type=int, default=32, help="xor-time: generations per dispatch"
    )
    parser.add_argument(
        "--round-gens", type=int, default=32, help="xor-time: generations per timed round"
    )
    parser.add_argument("--compile-repeats", type=int, default=3)
    parser.add_argument("--rss-pop", type=int, default=10000)
    parser.add_argument("--rss-child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", default=None, help="write the results to this file")
    args = parser.parse_args()
    if args.rss_child is not None:
        _rss_child(args.rss_child, 5)
        return
    print(_common.machine())
    results = {}
    for part in args.parts:
        results[part] = PARTS[part](args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2, default=str)


if __name__ == "__main__":
    main()
