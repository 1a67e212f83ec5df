"""Logging a run to stdout, CSV, TensorBoard and Weights & Biases at once.

W&B runs offline here (set WANDB_MODE=online and log in to upload). Look at the results
with ``tensorboard --logdir runs/logged`` or ``wandb sync runs/logged/wandb/offline-*``.

    python examples/logging_tensorboard_wandb.py
"""

import os

from evotrain import OpenES
from evotrain.logging import configure

os.environ.setdefault("WANDB_MODE", "offline")
SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version

model = OpenES("MlpPolicy", "gymnax:CartPole-v1", pop_size=16 if SMOKE else 256, seed=0)
model.set_logger(configure("runs/logged", ["stdout", "csv", "tensorboard", "wandb"]))
model.learn(2 if SMOKE else 30)
print("logged to", model.logger.get_dir(), sorted(os.listdir(model.logger.get_dir())))
