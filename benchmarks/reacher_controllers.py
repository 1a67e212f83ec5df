"""What hand-written controllers score on Brax reacher, per physics backend.

The zoo holds a reacher agent to a floor of -10 over 1000 steps (deterministic episodes,
reward = -distance(fingertip, target) - |action|^2 per step). This script puts that floor on
a scale: the return of doing nothing, of a joint-space PD controller on the analytic
inverse kinematics of the two-link arm, and of a Jacobian-transpose controller, each with
its gains swept and the best setting reported, on every backend that runs reacher.

Usage: ``python benchmarks/reacher_controllers.py [--episodes 16] [--backends generalized
spring positional]``. Results are recorded in BENCHMARKS.md ("Brax reacher").
"""

from __future__ import annotations

import argparse
import itertools
import time

import jax
import jax.numpy as jnp
import numpy as np
from _common import machine, setup_cache

L1, L2 = 0.1, 0.11  # link lengths of the arm (brax/envs/assets/reacher.xml)

# Observation layout (brax.envs.reacher): cos q (2), sin q (2), target x, y (2),
# fingertip velocity x, y (2), fingertip - target (3).


def _wrap(angle: jax.Array) -> jax.Array:
    return (angle + jnp.pi) % (2 * jnp.pi) - jnp.pi


def _jacobian(obs: jax.Array) -> jax.Array:
    """``(2, 2)`` Jacobian of the fingertip position (x, y) in the joint angles."""
    c1, c2, s1, s2 = obs[0], obs[1], obs[2], obs[3]
    s12, c12 = s1 * c2 + c1 * s2, c1 * c2 - s1 * s2
    return jnp.array([[-L1 * s1 - L2 * s12, -L2 * s12], [L1 * c1 + L2 * c12, L2 * c12]])


def zero_action(obs: jax.Array, gains: jax.Array) -> jax.Array:
    """Does nothing: ``(2,)`` zeros."""
    del gains
    return jnp.zeros(2, obs.dtype)


def inverse_kinematics_pd(obs: jax.Array, gains: jax.Array) -> jax.Array:
    """Joint PD towards the inverse-kinematics solution nearer the current elbow angle.

    Args:
        obs: ``(11,)`` observation.
        gains: ``(2,)`` ``(kp, kd)``: torque ``kp * joint error - kd * J^T v`` (``v`` the
            fingertip velocity).

    Returns:
        ``(2,)`` torques in [-1, 1].
    """
    kp, kd = gains[0], gains[1]
    q = jnp.arctan2(obs[2:4], obs[0:2])
    x, y = obs[4], obs[5]
    r2 = jnp.clip(x * x + y * y, (L2 - L1) ** 2 + 1e-6, (L1 + L2) ** 2 - 1e-6)
    cos_elbow = jnp.clip((r2 - L1 * L1 - L2 * L2) / (2 * L1 * L2), -1.0, 1.0)
    errors = []
    for sign in (1.0, -1.0):
        q2 = sign * jnp.arccos(cos_elbow)
        q1 = jnp.arctan2(y, x) - jnp.arctan2(L2 * jnp.sin(q2), L1 + L2 * jnp.cos(q2))
        errors.append(_wrap(jnp.stack([q1, q2]) - q))
    err = jnp.where(jnp.sum(errors[0] ** 2) < jnp.sum(errors[1] ** 2), errors[0], errors[1])
    return jnp.clip(kp * err - kd * _jacobian(obs).T @ obs[6:8], -1.0, 1.0)


def jacobian_transpose(obs: jax.Array, gains: jax.Array) -> jax.Array:
    """``J(q)^T (-kp d - kd v)``: a task-space spring-damper mapped to joint torques.

    Args:
        obs: ``(11,)`` observation (``d`` = fingertip - target, ``v`` = fingertip velocity).
        gains: ``(2,)`` ``(kp, kd)``.

    Returns:
        ``(2,)`` torques in [-1, 1].
    """
    force = -gains[0] * obs[8:10] - gains[1] * obs[6:8]
    return jnp.clip(_jacobian(obs).T @ force, -1.0, 1.0)


CONTROLLERS = {
    "zero action": (zero_action, [(0.0, 0.0)]),
    "inverse kinematics + joint PD": (
        inverse_kinematics_pd,
        list(itertools.product((0.025, 0.05, 0.1, 0.2), (0.0, 0.3, 1.0, 3.0))),
    ),
    "Jacobian transpose": (
        jacobian_transpose,
        list(itertools.product((2.0, 4.0, 8.0, 16.0), (0.0, 0.05, 0.2, 0.5))),
    ),
}


def sweep(backend: str, episodes: int, steps: int) -> list[tuple[str, tuple, float, float]]:
    """Best gains of every controller on one backend.

    Returns:
        ``(controller, gains, mean return, worst return)`` per controller.
    """
    from brax import envs

    env = envs.get_environment("reacher", backend=backend)
    keys = jax.random.split(jax.random.key(1000), episodes)
    rows = []
    for name, (policy, grid) in CONTROLLERS.items():

        def episode(key, gains, policy=policy):
            state = env.reset(key)

            def step(carry, _):
                state, ret = carry
                state = env.step(state, policy(state.obs, gains))
                return (state, ret + state.reward), None

            (_, ret), _ = jax.lax.scan(step, (state, jnp.zeros(())), None, length=steps)
            return ret

        run = jax.jit(jax.vmap(jax.vmap(episode, in_axes=(0, None)), in_axes=(None, 0)))
        returns = np.asarray(run(keys, jnp.asarray(grid, jnp.float32)))
        best = int(np.argmax(returns.mean(axis=1)))
        rows.append((name, grid[best], float(returns[best].mean()), float(returns[best].min())))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=16)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--backends", nargs="+", default=["generalized", "spring", "positional"])
    args = parser.parse_args()
    setup_cache()
    print(machine())
    print(f"brax reacher, {args.episodes} episodes of {args.steps} steps (seed 1000)\n")
    print("| backend | controller | best (kp, kd) | mean return | worst episode |")
    print("| --- | --- | --- | --- | --- |")
    for backend in args.backends:
        start = time.perf_counter()
        for name, gains, mean, worst in sweep(backend, args.episodes, args.steps):
            print(f"| {backend} | {name} | {gains} | {mean:.1f} | {worst:.1f} |", flush=True)
        print(f"<!-- {backend}: {time.perf_counter() - start:.0f} s -->", flush=True)


if __name__ == "__main__":
    main()
