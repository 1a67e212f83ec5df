"""Shared helpers for the benchmark scripts: timing, the env floor, machine facts."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp


def setup_cache() -> None:
    """JAX's persistent compilation cache, in this CPU model's folder of
    ``$JAX_COMPILATION_CACHE_DIR`` (default: the checkout's ``.cache/jax``)."""
    from evotrain.runtime.host import CACHE_ENV, use_compilation_cache

    default = os.path.join(os.path.dirname(__file__), "..", ".cache", "jax")
    use_compilation_cache(os.environ.get(CACHE_ENV, default))


def machine() -> str:
    import importlib.metadata as md

    versions = ", ".join(
        f"{p} {md.version(p)}" for p in ("jax", "brax", "gymnax", "evosax", "optax")
    )
    return (
        f"{platform.machine()} {os.cpu_count()} cores, {jax.default_backend()} backend, "
        f"Python {platform.python_version()}; {versions}"
    )


def block(tree: Any) -> Any:
    return jax.block_until_ready(tree)


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    block(fn())
    return time.perf_counter() - start


def evosax_loop(es: Any, problem: Any, key: jax.Array) -> tuple[Callable[[Any], Any], Any]:
    """evosax's own training loop for ``es`` on ``problem``: a jitted
    ``generation(carry) -> (carry, fitness)`` (ask, the problem's ``eval``, tell with the
    negated fitness, as evosax minimizes) and its first carry."""
    solution = problem.sample(key)
    params = es.default_params
    carry = (key, es.init(key, solution, params), problem.init(key))

    @jax.jit
    def generation(carry):
        key, es_state, prob_state = carry
        key, k_ask, k_eval, k_tell = jax.random.split(key, 4)
        population, es_state = es.ask(k_ask, es_state, params)
        fitness, prob_state, _ = problem.eval(k_eval, population, prob_state)
        es_state, _ = es.tell(k_tell, population, -fitness, es_state, params)
        return (key, es_state, prob_state), fitness

    return generation, carry


def warm_up(
    generation: Callable[[Any], tuple[Any, Any]], carry: Any, n: int
) -> tuple[Any, Any, float]:
    """Runs a peer's jitted ``generation(carry) -> (carry, fitness)`` ``n`` times (compile
    included); returns the carry, the last fitness and the seconds it took."""
    start = time.perf_counter()
    fitness = None
    for _ in range(n):
        carry, fitness = generation(carry)
    block(fitness)
    return carry, fitness, time.perf_counter() - start


def json_child(script: str, payload: Any, env: dict[str, str] | None = None) -> Any:
    """Runs ``script`` in a fresh Python process with ``json.dumps(payload)`` as its argument
    (its own peak memory, its own XLA flags) and returns the JSON its last output line holds."""
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(payload)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def gymnax_floor(env_id: str, batch: int, steps: int) -> Callable[[jax.Array], jax.Array]:
    """Jitted ``floor(key)``: ``batch`` envs, ``steps`` steps of a constant zero action,
    gymnax's own auto-reset on, no policy; returns the summed reward."""
    import gymnax

    env, params = gymnax.make(env_id)

    def run(key):
        keys = jax.random.split(key, batch)
        _, states = jax.vmap(env.reset, in_axes=(0, None))(keys, params)
        action = jnp.zeros(env.action_space(params).shape, env.action_space(params).dtype)

        def body(carry, t):
            states, total = carry
            step_keys = jax.vmap(lambda k: jax.random.fold_in(k, t))(keys)
            _, states, reward, _, _, _ = jax.vmap(env.step, in_axes=(0, 0, None, None))(
                step_keys, states, action, params
            )
            return (states, total + reward.sum()), None

        (_, total), _ = jax.lax.scan(body, (states, jnp.zeros(())), jnp.arange(steps))
        return total

    return jax.jit(run)


def gymnax_raw_floor(env_id: str, batch: int, steps: int) -> Callable[[jax.Array], jax.Array]:
    """Like :func:`gymnax_floor` but with ``step_env`` (no auto-reset): the bare physics."""
    import gymnax

    env, params = gymnax.make(env_id)

    def run(key):
        keys = jax.random.split(key, batch)
        _, states = jax.vmap(env.reset, in_axes=(0, None))(keys, params)
        action = jnp.zeros(env.action_space(params).shape, env.action_space(params).dtype)

        def body(carry, t):
            states, total = carry
            _, states, reward, _, _ = jax.vmap(env.step_env, in_axes=(0, 0, None, None))(
                keys, states, action, params
            )
            return (states, total + reward.sum()), None

        (_, total), _ = jax.lax.scan(body, (states, jnp.zeros(())), jnp.arange(steps))
        return total

    return jax.jit(run)


def brax_floor(env_name: str, backend: str, batch: int, steps: int, raw: bool = False):
    """Jitted ``floor(key)`` for Brax: ``envs.create`` (episode + auto-reset wrappers),
    constant zero action; ``raw=True`` steps the bare env (vmapped, no wrappers)."""
    from brax import envs

    if raw:
        from brax.envs.wrappers.training import VmapWrapper

        env = VmapWrapper(envs.get_environment(env_name, backend=backend), batch_size=batch)
    else:
        env = envs.create(
            env_name, backend=backend, episode_length=steps, auto_reset=True, batch_size=batch
        )

    def run(key):
        state = env.reset(key)
        action = jnp.zeros((batch, env.action_size))

        def body(carry, _):
            state, total = carry
            state = env.step(state, action)
            return (state, total + state.reward.sum()), None

        (_, total), _ = jax.lax.scan(body, (state, jnp.zeros(())), None, length=steps)
        return total

    return jax.jit(run)
