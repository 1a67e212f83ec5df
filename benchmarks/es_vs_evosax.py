"""evotrain OpenES vs evosax Open_ES vs the constant-action env floor, side by side.

Same MLP (obs-16-16-act, tanh hidden), same population, one episode per member, Adam(0.03),
sigma 0.1, antithetic sampling, centered ranks, no observation normalization. evosax runs
through its own ``GymnaxProblem``/``BraxProblem`` (fixed-length ``lax.scan``); the floor is a
jitted, vmapped ``lax.scan`` of zero actions with auto-reset and no policy (as in the peer
measurements); the raw floor steps the bare env without auto-reset or Brax's wrappers.

Each contender first trains ``--warmup`` generations (compile included, not timed), then
``--gens`` generations are timed in rounds (floor, evosax, evotrain one after another per
round) so machine noise hits all three alike. evotrain's rollout stops once every episode
in the population is done, so its per-generation time depends on how long its episodes
last; the script prints the per-generation ratios, the ratios per env step taken, and the
ratio per lane-step (time / (loop iterations x pop), the cost of one batched step).

Usage: python benchmarks/es_vs_evosax.py [--task cartpole|hopper|all] [--gens N]
"""

from __future__ import annotations

import argparse
import time

import _common
import jax
import jax.numpy as jnp
import numpy as np
import optax

TASKS = {
    "cartpole": {"pop": 1000, "steps": 500, "warmup": 30},
    "hopper": {"pop": 256, "steps": 1000, "warmup": 20},
}


def _argmax_output(x, key=None):
    return jnp.argmax(x, axis=-1)


def _tanh_output(x, key=None):
    return jnp.tanh(x)


def make_evosax(task: str, pop: int, steps: int):
    from evosax.algorithms import Open_ES
    from evosax.problems import networks

    if task == "cartpole":
        from evosax.problems.rl.gymnax import GymnaxProblem

        policy = networks.MLP(layer_sizes=(16, 16, 2), output_fn=_argmax_output)
        problem = GymnaxProblem(
            "CartPole-v1", policy, episode_length=steps, use_normalize_obs=False
        )
    else:
        from evosax.problems.rl.brax import BraxProblem

        policy = networks.MLP(layer_sizes=(16, 16, 3), output_fn=_tanh_output)
        problem = BraxProblem(
            "hopper",
            policy,
            episode_length=steps,
            use_normalize_obs=False,
            env_kwargs={"backend": "spring"},
        )
    key = jax.random.key(0)
    es = Open_ES(
        pop,
        problem.sample(key),
        optimizer=optax.adam(0.03),
        std_schedule=optax.constant_schedule(0.1),
    )
    return _common.evosax_loop(es, problem, key)


def make_evotrain(task: str, pop: int, steps: int):
    from evotrain import OpenES

    if task == "cartpole":
        model = OpenES(
            "MlpPolicy",
            "gymnax:CartPole-v1",
            pop_size=pop,
            max_episode_steps=steps,
            learning_rate=0.03,
            sigma=0.1,
            policy_kwargs={"net_arch": [16, 16]},
            seed=0,
        )
    else:
        model = OpenES(
            "MlpPolicy",
            "brax:hopper",
            pop_size=pop,
            learning_rate=0.03,
            sigma=0.1,
            env_kwargs={"backend": "spring", "episode_length": steps},
            policy_kwargs={"net_arch": [16, 16]},
            seed=0,
        )
    return model


def run(task: str, gens: int, warmup: int | None) -> dict[str, float]:
    cfg = TASKS[task]
    pop, steps = cfg["pop"], cfg["steps"]
    warmup = cfg["warmup"] if warmup is None else warmup
    print(f"\n== {task}: pop {pop} x {steps} steps, warm-up {warmup} generations, {gens} timed ==")

    if task == "cartpole":
        floor = _common.gymnax_floor("CartPole-v1", pop, steps)
        raw_floor = _common.gymnax_raw_floor("CartPole-v1", pop, steps)
    else:
        floor = _common.brax_floor("hopper", "spring", pop, steps)
        raw_floor = _common.brax_floor("hopper", "spring", pop, steps, raw=True)
    t0 = time.perf_counter()
    _common.block(floor(jax.random.key(0)))
    _common.block(raw_floor(jax.random.key(0)))
    print(f"floors   compile+first {time.perf_counter() - t0:6.1f} s")

    evosax_gen, evosax_carry = make_evosax(task, pop, steps)
    evosax_carry, fit, seconds = _common.warm_up(evosax_gen, evosax_carry, warmup)
    print(f"evosax   compile+warm-up {seconds:6.1f} s, best return {float(jnp.max(fit)):.1f}")

    model = make_evotrain(task, pop, steps)
    t0 = time.perf_counter()
    model.learn(warmup)
    print(
        f"evotrain compile+warm-up {time.perf_counter() - t0:6.1f} s, "
        f"best return {model.history[-1]['fitness_max']:.1f}"
    )

    times: dict[str, list[float]] = {"floor": [], "raw_floor": [], "evosax": [], "evotrain": []}
    evo_steps: list[int] = []
    evo_iters: list[int] = []
    ts = model.train_state
    for r in range(gens):
        times["floor"].append(_common.timed(lambda r=r: floor(jax.random.key(r + 1))))
        times["raw_floor"].append(_common.timed(lambda r=r: raw_floor(jax.random.key(r + 1))))

        def evosax_once():
            nonlocal evosax_carry
            evosax_carry, fitness = evosax_gen(evosax_carry)
            return fitness

        times["evosax"].append(_common.timed(evosax_once))

        start = time.perf_counter()
        ts, metrics = model._step(ts)
        metrics = jax.device_get(metrics)
        times["evotrain"].append(time.perf_counter() - start)
        evo_steps.append(int(metrics["env_steps"]))
        evo_iters.append(int(metrics["episode_length_max"]))

    med = {k: _common.median(v) for k, v in times.items()}
    full = pop * steps
    evo_per_step = _common.median([t / s for t, s in zip(times["evotrain"], evo_steps)])
    evo_per_iter = _common.median([t / (i * pop) for t, i in zip(times["evotrain"], evo_iters)])
    floor_per_step = med["floor"] / full
    evosax_per_step = med["evosax"] / full
    result = {
        "floor_s": med["floor"],
        "raw_floor_s": med["raw_floor"],
        "evosax_s": med["evosax"],
        "evotrain_s": med["evotrain"],
        "evotrain_steps_frac": float(np.median(evo_steps)) / full,
        "evotrain/evosax": med["evotrain"] / med["evosax"],
        "evotrain/floor": med["evotrain"] / med["floor"],
        "evosax/floor": med["evosax"] / med["floor"],
        "per_step evotrain/floor": evo_per_step / floor_per_step,
        "per_step evotrain/raw_floor": evo_per_step / (med["raw_floor"] / full),
        "per_lane_step evotrain/floor": evo_per_iter / floor_per_step,
        "per_step evotrain/evosax": evo_per_step / evosax_per_step,
    }
    for k in ("floor", "raw_floor", "evosax", "evotrain"):
        print(
            f"{k:9s} per-gen median {med[k]:.4f} s  (min {min(times[k]):.4f}, "
            f"max {max(times[k]):.4f})"
        )
    print(
        f"evotrain env steps taken per generation: {result['evotrain_steps_frac']:.1%} of "
        f"pop x steps ({np.median(evo_steps):.0f}); rollout loop ran {np.median(evo_iters):.0f} "
        f"of {steps} steps (median)"
    )
    for k in (
        "evotrain/evosax",
        "evotrain/floor",
        "evosax/floor",
        "per_step evotrain/floor",
        "per_step evotrain/evosax",
        "per_step evotrain/raw_floor",
        "per_lane_step evotrain/floor",
    ):
        print(f"  {k:26s} {result[k]:.3f}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=[*TASKS, "all"], default="all")
    parser.add_argument("--gens", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=None)
    args = parser.parse_args()
    _common.setup_cache()
    print(_common.machine())
    for task in TASKS if args.task == "all" else [args.task]:
        run(task, args.gens, args.warmup)


if __name__ == "__main__":
    main()
