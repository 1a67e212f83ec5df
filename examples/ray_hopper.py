"""Gymnasium MuJoCo Hopper-v5 on Ray workers: every core steps its own envs.

Workers receive OpenES's state and a key each generation (seeds, not parameters) and send
back one fitness per individual; the results are the same as in-process, bit for bit.
See docs/ray.md for a Ray cluster.

    python examples/ray_hopper.py
"""

import os

from evotrain import OpenES
from evotrain.evaluation.evaluate_policy import evaluate_policy

SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version

model = OpenES(
    "MlpPolicy",
    "gymnasium:Hopper-v5",
    pop_size=8 if SMOKE else 64,
    learning_rate=0.03,
    sigma=0.05,
    zero_init=True,
    obs_normalization=True,
    reward_shift=0.5,  # ARS's shift: standing still earns nothing
    policy_kwargs={"net_arch": []},  # a linear policy
    max_episode_steps=20 if SMOKE else None,
    evaluator="ray",
    n_workers=1 if SMOKE else os.cpu_count(),  # Ray starts with this many CPUs
    seed=0,
    verbose=1,
)
model.learn(1 if SMOKE else 300)
model.close()  # stop the workers
mean, std = evaluate_policy(model, model.get_env(), n_eval_episodes=1 if SMOKE else 10)
print(f"Hopper-v5: {mean:.0f} +/- {std:.0f}")
