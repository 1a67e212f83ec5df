"""evotrain's CMAES vs evosax's own CMA_ES loop on gymnax CartPole-v1, pop 256, side by side.

Two measurements:

1. **The strategy alone.** One jitted ``ask`` + ``tell`` on a fixed quadratic fitness of the
   same 386 parameters, evosax's ``CMA_ES`` called directly against evotrain's
   :class:`~evotrain.strategies.evosax.EvosaxStrategy` wrapping it (the sign flip, the
   non-finite guard and evotrain's state). The ratio is what the adapter adds.
2. **A whole generation.** evosax's loop (``ask``, its ``GymnaxProblem.eval`` over a fixed
   500-step ``lax.scan``, ``tell``) against ``CMAES("MlpPolicy", "gymnax:CartPole-v1",
   pop_size=256)``'s jitted generation step; same MLP (4-16-16-2, tanh), one episode per
   member, no observation normalization. Both first train ``--warmup`` generations, so
   that episodes last the full 500 steps in both (evotrain stops a rollout once every
   episode is done; evosax always runs 500 steps); the per-lane-step ratio divides each
   time by the steps its loop ran.

Timed in alternating rounds so machine noise hits both alike; medians.

Usage: python benchmarks/cmaes_vs_evosax.py [--gens 10] [--rounds 200] [--warmup 15]
"""

from __future__ import annotations

import argparse
import time

import _common
import jax
import jax.numpy as jnp
import numpy as np

POP, STEPS, LAYERS = 256, 500, (16, 16)


def _sphere(population):
    return -jnp.sum(jnp.square(population - 0.5), axis=-1)


def strategy_only(rounds: int) -> float:
    """Median time ratio of evotrain's adapter over evosax's CMA_ES for ask + tell."""
    from evosax.algorithms import CMA_ES

    from evotrain.networks import MLP
    from evotrain.strategies.evosax import EvosaxStrategy

    dims = MLP((4, *LAYERS, 2)).num_params
    raw = CMA_ES(population_size=POP, solution=jnp.zeros((dims,)))
    raw_params = raw.default_params
    wrapped = EvosaxStrategy("CMA_ES", dims, POP)
    w_params = wrapped.default_params

    @jax.jit
    def raw_step(key, state):
        k1, k2 = jax.random.split(key)
        population, state = raw.ask(k1, state, raw_params)
        state, _ = raw.tell(k2, population, -_sphere(population), state, raw_params)
        return state

    @jax.jit
    def wrapped_step(key, state):
        k1, k2 = jax.random.split(key)
        population, state = wrapped.ask(k1, state, w_params)
        state, _ = wrapped.tell(k2, population, _sphere(population), state, w_params)
        return state

    key = jax.random.key(0)
    raw_state = raw.init(key, jnp.zeros((dims,)), raw_params)
    w_state = wrapped.init(key, w_params)
    raw_state = _common.block(raw_step(key, raw_state))
    w_state = _common.block(wrapped_step(key, w_state))
    times: dict[str, list[float]] = {"evosax": [], "evotrain": []}
    for r in range(rounds):
        k = jax.random.key(r + 1)
        start = time.perf_counter()
        raw_state = _common.block(raw_step(k, raw_state))
        times["evosax"].append(time.perf_counter() - start)
        start = time.perf_counter()
        w_state = _common.block(wrapped_step(k, w_state))
        times["evotrain"].append(time.perf_counter() - start)
    med = {k: _common.median(v) for k, v in times.items()}
    print(
        f"ask+tell, {dims} params, pop {POP}: evosax {med['evosax'] * 1e3:.2f} ms, "
        f"evotrain's adapter {med['evotrain'] * 1e3:.2f} ms; ratio "
        f"{med['evotrain'] / med['evosax']:.3f}"
    )
    return med["evotrain"] / med["evosax"]


def make_evosax():
    from evosax.algorithms import CMA_ES
    from evosax.problems import networks
    from evosax.problems.rl.gymnax import GymnaxProblem

    policy = networks.MLP(
        layer_sizes=(*LAYERS, 2), output_fn=lambda x, key=None: jnp.argmax(x, axis=-1)
    )
    problem = GymnaxProblem("CartPole-v1", policy, episode_length=STEPS, use_normalize_obs=False)
    key = jax.random.key(0)
    es = CMA_ES(population_size=POP, solution=problem.sample(key))
    return _common.evosax_loop(es, problem, key)


def whole_generation(gens: int, warmup: int) -> dict[str, float]:
    from evotrain.algorithms.evosax_family import CMAES

    gen_fn, carry = make_evosax()
    carry, fit, seconds = _common.warm_up(gen_fn, carry, warmup)
    print(
        f"evosax   compile+warm-up {seconds:6.1f} s, best {float(jnp.max(fit)):.0f}, "
        f"mean {float(jnp.mean(fit)):.0f}"
    )
    model = CMAES(
        "MlpPolicy",
        "gymnax:CartPole-v1",
        pop_size=POP,
        policy_kwargs={"net_arch": list(LAYERS)},
        seed=0,
    )
    t0 = time.perf_counter()
    model.learn(warmup)
    last = model.history[-1]
    print(
        f"evotrain compile+warm-up {time.perf_counter() - t0:6.1f} s, best "
        f"{last['fitness_max']:.0f}, mean {last['fitness_mean']:.0f}"
    )
    step = model._step
    ts = model.train_state = step.ready(model.train_state)
    times: dict[str, list[float]] = {"evosax": [], "evotrain": []}
    iters: list[int] = []
    for _ in range(gens):
        start = time.perf_counter()
        carry, fit = gen_fn(carry)
        _common.block(fit)
        times["evosax"].append(time.perf_counter() - start)
        start = time.perf_counter()
        ts, metrics = step(ts)
        metrics = jax.device_get(metrics)
        times["evotrain"].append(time.perf_counter() - start)
        iters.append(int(metrics["episode_length_max"]))
    med = {k: _common.median(v) for k, v in times.items()}
    per_lane = _common.median([t / i for t, i in zip(times["evotrain"], iters)]) / (
        med["evosax"] / STEPS
    )
    print(
        f"generation: evosax {med['evosax']:.3f} s, evotrain {med['evotrain']:.3f} s "
        f"(rollout loop ran {np.median(iters):.0f} of {STEPS} steps); ratio "
        f"{med['evotrain'] / med['evosax']:.3f}, per lane-step {per_lane:.3f}"
    )
    return {"generation": med["evotrain"] / med["evosax"], "per_lane_step": per_lane}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gens", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=15)
    args = parser.parse_args()
    _common.setup_cache()
    print(_common.machine())
    strategy_only(args.rounds)
    whole_generation(args.gens, args.warmup)


if __name__ == "__main__":
    main()
