"""Quick start: evolve a CartPole controller, evaluate it, save it, load it, act with it.

python examples/quickstart.py
"""

import os

from evotrain import OpenES
from evotrain.evaluation.evaluate_policy import evaluate_policy

SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version

# OpenAI-ES on gymnax's CartPole: 256 perturbed copies of one MLP per generation, all
# evaluated in one jitted step.
model = OpenES("MlpPolicy", "gymnax:CartPole-v1", pop_size=16 if SMOKE else 256, seed=0, verbose=1)
model.learn(2 if SMOKE else 30)

# Deterministic episodes of the learned policy (the distribution's mean).
mean, std = evaluate_policy(model, model.get_env(), n_eval_episodes=10)
print(f"mean return {mean:.1f} +/- {std:.1f}")

# A saved model is a folder (Orbax + JSON, no pickle); loading it resumes exactly.
model.save("cartpole_openes", overwrite=True)
loaded = OpenES.load("cartpole_openes")

# predict takes one observation (or a batch) and returns an action.
action, _ = loaded.predict([0.0, 0.0, 0.02, 0.0])
print("action for a pole leaning right:", int(action))
