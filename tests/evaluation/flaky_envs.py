"""A CartPole that fails on purpose, for the host-evaluation fault tests.

``mode="exit"`` ends its process at step ``at`` of an episode the first time any process
gets there (the ``marker`` file records that it happened); ``mode="raise"`` raises at
step ``at`` of every episode while the ``marker`` file exists.
"""

from __future__ import annotations

import os

import gymnasium
from gymnasium.envs.classic_control.cartpole import CartPoleEnv

ENV_ID = "EvotrainFlakyCartPole-v0"


class FlakyCartPole(CartPoleEnv):
    def __init__(self, marker: str | None = None, mode: str = "exit", at: int = 5, **kwargs):
        super().__init__(**kwargs)
        self.marker, self.mode, self.at, self.t = marker, mode, at, 0

    def reset(self, *args, **kwargs):
        self.t = 0
        return super().reset(*args, **kwargs)

    def step(self, action):
        self.t += 1
        if self.marker is not None and self.t == self.at:
            if self.mode == "exit":
                try:
                    os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL))
                except FileExistsError:
                    pass
                else:
                    os._exit(3)
            elif os.path.exists(self.marker):
                raise RuntimeError("the flaky env broke on purpose")
        return super().step(action)


def register() -> None:
    if ENV_ID not in gymnasium.registry:
        gymnasium.register(ENV_ID, entry_point=FlakyCartPole, max_episode_steps=500)
