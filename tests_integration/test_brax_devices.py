"""Brax across device counts: equal to float tolerance, not bitwise.

On the XLA CPU backend Brax's batched physics depends on the batch shape, and a device
split changes each device's batch (docs/multi_device.md), so the same hopper run on 1 and
2 forced CPU devices differs in the last bits of some returns. The strategy's arithmetic
is not split, so the difference does not grow beyond that.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

CHILD = r"""
import sys
import jax, jax.flatten_util, numpy as np
assert len(jax.devices()) == 2
from evotrain import OpenES
out = {}
for d in (1, 2):
    model = OpenES("MlpPolicy", "brax:hopper", pop_size=8, devices=d, seed=1,
                   policy_kwargs={"net_arch": [8]}, max_episode_steps=100).learn(3)
    out[f"{d}/fitness"] = np.stack([h["fitness"] for h in model.history])
    out[f"{d}/mean"] = np.asarray(jax.flatten_util.ravel_pytree(model.policy_params)[0])
np.savez(sys.argv[1], **out)
"""


@pytest.mark.slow
def test_brax_hopper_on_one_and_two_devices_agrees_to_float_tolerance(tmp_path):
    out = tmp_path / "runs.npz"
    # LLVM at -O0 and XLA's classic emitters: the comparison is between device counts at
    # one setting, and compiling the hopper twice at XLA's defaults costs a minute more.
    flags = (
        "--xla_force_host_platform_device_count=2 --xla_backend_optimization_level=0 "
        "--xla_cpu_use_fusion_emitters=false"
    )
    env = {**os.environ, "XLA_FLAGS": flags}
    subprocess.run([sys.executable, "-c", CHILD, str(out)], check=True, env=env)
    runs = np.load(out)
    one, two = runs["1/fitness"], runs["2/fitness"]
    assert np.isfinite(one).all() and one.shape == (3, 8)
    np.testing.assert_allclose(two, one, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(runs["2/mean"], runs["1/mean"], rtol=1e-4, atol=1e-6)
