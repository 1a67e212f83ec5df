"""One population over several devices: here 4 CPU devices forced on one machine.

On a machine with GPUs, leave out the XLA_FLAGS line: ``devices="auto"`` (the default)
uses every GPU. The same seed gives bitwise the same run on any device count.

    python examples/multi_device.py
"""

import os

# Must happen before JAX starts (before importing evotrain).
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=4")

import jax  # noqa: E402
import numpy as np  # noqa: E402

from evotrain import OpenES  # noqa: E402

SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version
generations = 2 if SMOKE else 20

print("devices:", jax.devices())
runs = {}
for devices in (1, len(jax.devices())):
    model = OpenES("MlpPolicy", "gymnax:CartPole-v1", pop_size=64, devices=devices, seed=0)
    model.learn(generations)
    runs[devices] = np.stack([h["fitness"] for h in model.history])
    print(f"{devices} device(s): best fitness {model.history[-1]['fitness_max']:.0f}")
print("bitwise identical:", all(np.array_equal(r, runs[1]) for r in runs.values()))
