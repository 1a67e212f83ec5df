"""Small jittable envs whose returns are known in closed form, and helpers for tests that
start child processes."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import jax.numpy as jnp

from evotrain.envs import Box, Discrete, EnvSpec, EnvState, JaxEnv


class CountdownEnv(JaxEnv):
    """Reward 1 per step; the episode ends after ``action``-dependent steps.

    The observation is ``[t]``. With a discrete action ``a`` in {0, 1}, action 1 ends the
    episode at once (done on that step), action 0 continues; the horizon is ``max_steps``.
    Reward is ``nan_reward`` instead of 1 when ``a == 1`` and ``poison`` is set.
    """

    def __init__(self, max_steps: int = 10, poison: bool = False) -> None:
        self.raw = None
        self.poison = poison
        self.spec = EnvSpec("test:countdown", "test", 1, Discrete(2), max_steps)

    def reset(self, key):
        return EnvState(
            inner=jnp.zeros((), jnp.int32),
            obs=jnp.zeros((1,), jnp.float32),
            reward=jnp.zeros((), jnp.float32),
            done=jnp.zeros((), bool),
        )

    def step(self, key, state, action):
        t = state.inner + 1
        reward = jnp.where(self.poison & (action == 1), jnp.nan, 1.0).astype(jnp.float32)
        return EnvState(inner=t, obs=t[None].astype(jnp.float32), reward=reward, done=action == 1)


class PointEnv(JaxEnv):
    """A 1-D point at ``x``; reward ``-|x - target|`` per step, action is the velocity."""

    def __init__(self, max_steps: int = 5, target: float = 0.5) -> None:
        self.raw = None
        self.target = target
        self.spec = EnvSpec("test:point", "test", 1, Box((-1.0,), (1.0,)), max_steps)

    def reset(self, key):
        return EnvState(
            inner=jnp.zeros((1,), jnp.float32),
            obs=jnp.zeros((1,), jnp.float32),
            reward=jnp.zeros((), jnp.float32),
            done=jnp.zeros((), bool),
        )

    def step(self, key, state, action):
        x = state.inner + action
        reward = -jnp.abs(x[0] - self.target)
        return EnvState(inner=x, obs=x, reward=reward, done=jnp.zeros((), bool))


class DelayedRecallEnv(JaxEnv):
    """A cue of +1 or -1 at step 0, zeros for ``delay`` steps, then a query.

    Observations are ``[cue, query]``. At the query step the action (Discrete(2)) earns 1
    if it names the cue (1 for +1, 0 for -1) and the episode ends; earlier actions earn
    nothing. A feedforward policy sees ``[0, 1]`` at every query, whatever the cue, so it
    cannot beat the share of its favourite cue; remembering the cue scores 1.
    """

    def __init__(self, delay: int = 4) -> None:
        import jax

        self._jax = jax
        self.raw = None
        self.delay = delay
        self.spec = EnvSpec("test:delayed_recall", "test", 2, Discrete(2), delay + 1)

    def reset(self, key):
        cue = jnp.where(self._jax.random.bernoulli(key), 1.0, -1.0).astype(jnp.float32)
        return EnvState(
            inner=(jnp.zeros((), jnp.int32), cue),
            obs=jnp.stack([cue, jnp.float32(0.0)]),
            reward=jnp.zeros((), jnp.float32),
            done=jnp.zeros((), bool),
        )

    def step(self, key, state, action):
        t, cue = state.inner
        t = t + 1
        at_query = t == self.delay
        past = t > self.delay
        correct = (action == 1) == (cue > 0)
        reward = jnp.where(past, jnp.where(correct, 1.0, 0.0), 0.0).astype(jnp.float32)
        obs = jnp.stack([jnp.float32(0.0), jnp.where(at_query, 1.0, 0.0).astype(jnp.float32)])
        return EnvState(inner=(t, cue), obs=obs, reward=reward, done=past)


def with_devices(n: int) -> str:
    """``XLA_FLAGS`` for a child process with ``n`` forced CPU devices that otherwise
    compiles as this process does (``make test`` sets flags of its own: a child that
    dropped them could compute other last bits than the test it is compared with)."""
    return f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count={n}".strip()


WAIT_FOR_GO = """
def wait_for_go(sync):
    import os, pathlib, time
    sync = pathlib.Path(sync)
    (sync / f"ready-{os.getpid()}").touch()
    while not (sync / "go").exists():
        time.sleep(0.005)
    time.sleep(max(0.0, float((sync / "go").read_text()) - time.time()))
"""
"""Code for a child script: ``wait_for_go(sync)`` says the child is ready, then returns at
the instant :func:`release_together` sets."""


def release_together(
    procs: list[subprocess.Popen], sync: Path, timeout_s: float = 180.0, lead_s: float = 0.2
) -> None:
    """Waits until each child has called ``wait_for_go(sync)`` (or one has exited, or
    ``timeout_s`` passed), then lets them all go ``lead_s`` seconds later, at one instant:
    a barrier instead of a start time guessed long enough for the slowest import."""
    deadline = time.monotonic() + timeout_s
    while len(list(sync.glob("ready-*"))) < len(procs):
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            break  # the caller's checks of the children's exit report it
        time.sleep(0.01)
    part = sync / "go.part"
    part.write_text(repr(time.time() + lead_s))
    part.replace(sync / "go")  # atomic: a child reads the whole time or no file
