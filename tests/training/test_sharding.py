"""One population across devices and processes: device choice, even splits, the same
results on 1 and 2 forced CPU devices for every algorithm family (4 for three of them),
one generation per dispatch on one device and eight on two, and two localhost processes
that train, save and resume like one."""

from __future__ import annotations

import os
import subprocess
import sys

import jax
import numpy as np
import pytest

from evotrain.training.sharding import check_split, resolve_devices
from tests.helpers import with_devices

# Runs in a child process with 4 forced CPU devices (see COUNTS).
CHILD = r"""
import os, sys
import jax, numpy as np
assert len(jax.devices()) == 4, jax.devices()
from evotrain import CMAES, GA, NEAT, HyperNEAT, MAPElites, OpenES

SMALL = {"policy_kwargs": {"net_arch": [4]}, "max_episode_steps": 40, "n_episodes": 2}
MAKE = {
    "OpenES": lambda d: OpenES("MlpPolicy", "gymnax:CartPole-v1", pop_size=8, devices=d,
                               seed=3, **SMALL),
    "GA": lambda d: GA("MlpPolicy", "gymnax:CartPole-v1", pop_size=8, devices=d, seed=3,
                       **SMALL),
    "NEAT": lambda d: NEAT("FeedForward", "gymnax:CartPole-v1", pop_size=16, max_nodes=8,
                           max_conns=12, max_episode_steps=40, devices=d, seed=3),
    "GA-batched": lambda d: GA("MlpPolicy", "gymnax:CartPole-v1", pop_size=16, devices=d,
                               pop_batch_size=4, seed=3, **SMALL),
    "CMAES": lambda d: CMAES("MlpPolicy", "gymnax:CartPole-v1", pop_size=8, devices=d,
                             seed=3, **SMALL),
    "HyperNEAT": lambda d: HyperNEAT("FeedForward", "gymnax:CartPole-v1", pop_size=16,
                                     max_episode_steps=40, devices=d, seed=3),
    "MAPElites": lambda d: MAPElites("MlpPolicy", "gymnax:MountainCar-v0", pop_size=8,
                                     bins=(4, 4), devices=d, seed=3, **SMALL),
}
# Every algorithm (MAP-Elites: its archive too) on 1 and 2 devices; on 4 as well OpenES (the two-process tests resume its
# 4-device run) and the families whose split differs in kind (a batched population, a
# speciated one).
COUNTS = {"OpenES": (1, 2, 4), "GA": (1, 2), "NEAT": (1, 2, 4), "GA-batched": (1, 2, 4),
          "CMAES": (1, 2), "HyperNEAT": (1, 2), "MAPElites": (1, 2)}
out = {}
for name, make in MAKE.items():
    # One generation per dispatch on one device; learn's choice on 2 and 4; and 8 per
    # dispatch (all 3 in one) on 2 devices (the same compiled program as learn's choice).
    for d in (*COUNTS[name], "k8"):
        if d == 1:
            model = make(1).learn(3, generations_per_dispatch=1)
        elif d == "k8":
            model = make(COUNTS[name][1]).learn(3, generations_per_dispatch=8)
        else:
            model = make(d).learn(3)
        out[f"{name}/{d}/fitness"] = np.stack([h["fitness"] for h in model.history])
        out[f"{name}/{d}/steps"] = np.array([h["env_steps"] for h in model.history])
        leaves = jax.tree_util.tree_leaves(model.train_state)
        out[f"{name}/{d}/nleaves"] = np.array(len(leaves))
        for i, x in enumerate(leaves[1:]):
            out[f"{name}/{d}/leaf{i}"] = np.asarray(x)
np.savez(sys.argv[1], **out)
MAKE["OpenES"](4).learn(2).save(sys.argv[2])  # resumed on one device by the test
try:
    GA("MlpPolicy", "gymnax:CartPole-v1", pop_size=10, devices=4)
except ValueError as err:
    assert "pop_size=10 does not split over 4 devices" in str(err), err
else:
    raise AssertionError("pop_size=10 on 4 devices was accepted")
"""


@pytest.fixture(scope="module")
def four_device_runs(tmp_path_factory):
    """The child's results and a 4-device OpenES save after 2 generations."""
    folder = tmp_path_factory.mktemp("devices")
    out, saved = folder / "runs.npz", folder / "openes-4-devices"
    env = {**os.environ, "XLA_FLAGS": with_devices(4)}
    subprocess.run([sys.executable, "-c", CHILD, str(out), str(saved)], check=True, env=env)
    return np.load(out), saved


def test_one_two_and_four_devices_give_bitwise_identical_runs(four_device_runs):
    runs, _ = four_device_runs
    for name in ("OpenES", "GA", "NEAT", "GA-batched", "CMAES", "HyperNEAT", "MAPElites"):
        n = int(runs[f"{name}/1/nleaves"])
        counts = [d for d in (2, 4, "k8") if f"{name}/{d}/nleaves" in runs]
        assert 2 in counts and "k8" in counts, name
        for d in counts:
            for field in ("fitness", "steps", *(f"leaf{i}" for i in range(n - 1))):
                np.testing.assert_array_equal(
                    runs[f"{name}/{d}/{field}"],
                    runs[f"{name}/1/{field}"],
                    err_msg=f"{name} {d} {field}",
                )
        assert np.isfinite(runs[f"{name}/1/fitness"]).all()


# One of two processes on localhost (jax.distributed, gloo CPU collectives), 2 CPU devices
# each: together they train the 4-device OpenES run of CHILD, saving after 2 generations
# (a collective Orbax save) and resuming CHILD's 4-device single-process save.
PROCESS = r"""
import os, sys
os.environ["XLA_FLAGS"] = os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2"
import jax, numpy as np
import evotrain.distributed
pid, port, out, saved, single = int(sys.argv[1]), sys.argv[2], *sys.argv[3:6]
evotrain.distributed.initialize(f"localhost:{port}", num_processes=2, process_id=pid)
assert len(jax.devices()) == 4 and len(jax.local_devices()) == 2
from evotrain import OpenES
model = OpenES("MlpPolicy", "gymnax:CartPole-v1", pop_size=8, seed=3,
               policy_kwargs={"net_arch": [4]}, max_episode_steps=40, n_episodes=2).learn(2)
assert model.save(saved) == os.path.abspath(saved) and os.path.isdir(saved)
model.learn(1, reset_num_generations=False)
resumed = OpenES.load(single).learn(1, reset_num_generations=False)
def leaves(m):
    return [np.asarray(x.addressable_data(0)) for x in jax.tree_util.tree_leaves(m.train_state)[1:]]
np.savez(out, *leaves(model), fitness=np.stack([h["fitness"] for h in model.history]))
np.savez(out + ".resumed.npz", *leaves(resumed),
         fitness=np.stack([h["fitness"] for h in resumed.history]))
jax.distributed.shutdown()
"""


def _free_port() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("localhost", 0))
        return str(s.getsockname()[1])


@pytest.fixture(scope="module")
def two_process_run(four_device_runs, tmp_path_factory):
    """Each process's results (trained; resumed from the single-process save) and the
    two processes' save after 2 generations."""
    _, single = four_device_runs
    folder = tmp_path_factory.mktemp("processes")
    port, saved = _free_port(), folder / "openes-2-processes"
    env = dict(os.environ)  # the children compile with this process's XLA flags
    outs = [folder / f"process{i}.npz" for i in range(2)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", PROCESS, str(i), port, str(outs[i]), str(saved), str(single)],
            env=env,
        )
        for i in range(2)
    ]
    for p in procs:
        assert p.wait(timeout=300) == 0
    return outs, saved


def _assert_run_equal(got, runs, name="OpenES/4"):
    np.testing.assert_array_equal(got["fitness"], runs[f"{name}/fitness"])
    for i in range(int(runs[f"{name}/nleaves"]) - 1):
        np.testing.assert_array_equal(got[f"arr_{i}"], runs[f"{name}/leaf{i}"])


def test_two_processes_train_like_one_process_with_four_devices(four_device_runs, two_process_run):
    runs, _ = four_device_runs
    outs, _ = two_process_run
    for out in outs:
        _assert_run_equal(np.load(out), runs)


def test_two_processes_resume_a_single_process_save_bit_exactly(four_device_runs, two_process_run):
    runs, _ = four_device_runs
    outs, _ = two_process_run
    for out in outs:
        _assert_run_equal(np.load(str(out) + ".resumed.npz"), runs)


def test_a_two_process_save_resumes_in_one_process_bit_exactly(four_device_runs, two_process_run):
    from evotrain import OpenES

    runs, _ = four_device_runs
    _, saved = two_process_run
    assert [p.name for p in saved.parent.iterdir() if p.name.startswith(".")] == []
    loaded = OpenES.load(saved, devices=1).learn(1, reset_num_generations=False)
    got = {
        f"arr_{i}": np.asarray(x)
        for i, x in enumerate(jax.tree_util.tree_leaves(loaded.train_state)[1:])
    }
    got["fitness"] = np.stack([h["fitness"] for h in loaded.history])
    _assert_run_equal(got, runs)


def test_a_four_device_save_resumes_on_one_device_bit_exactly(four_device_runs):
    from evotrain import OpenES

    _, saved = four_device_runs
    kwargs = {"policy_kwargs": {"net_arch": [4]}, "max_episode_steps": 40, "n_episodes": 2}
    loaded = OpenES.load(saved, devices=1)
    loaded.learn(1, reset_num_generations=False)
    straight = OpenES(
        "MlpPolicy", "gymnax:CartPole-v1", pop_size=8, devices=1, seed=3, **kwargs
    ).learn(3)
    for got, want in zip(
        jax.tree_util.tree_leaves(loaded.train_state)[1:],
        jax.tree_util.tree_leaves(straight.train_state)[1:],
        strict=True,
    ):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    for got, want in zip(loaded.history, straight.history, strict=True):
        np.testing.assert_array_equal(got["fitness"], want["fitness"])


def test_device_choices_and_their_errors():
    devices = jax.devices()
    assert resolve_devices("auto") == tuple(devices)
    assert resolve_devices(1) == (devices[0],)
    assert resolve_devices([devices[0]]) == (devices[0],)
    with pytest.raises(ValueError, match="pass 'auto'"):
        resolve_devices("gpu")
    with pytest.raises(ValueError, match=r"devices=0 but JAX sees 1 CPU device\(s\)"):
        resolve_devices(0)
    with pytest.raises(ValueError, match="devices=9"):
        resolve_devices(9)
    with pytest.raises(ValueError, match="empty list"):
        resolve_devices([])
    with pytest.raises(TypeError, match="jax.Device"):
        resolve_devices(["cpu:0"])
    with pytest.raises(ValueError, match="twice"):
        resolve_devices([devices[0], devices[0]])


def test_population_and_batch_must_split_over_the_devices():
    check_split(8, 4, None)
    check_split(8, 4, 2)
    with pytest.raises(
        ValueError,
        match="pop_size=10 does not split over 4 devices; use a multiple of 4 such as 8 or 12",
    ):
        check_split(10, 4, None)
    with pytest.raises(
        ValueError,
        match="pop_batch_size=3 is per device and must divide each "
        r"device's 4 individuals .* use 2",
    ):
        check_split(16, 4, 3)


def test_distributed_initialize_refuses_bad_ids_and_an_unreachable_coordinator():
    import time

    from evotrain import distributed

    with pytest.raises(ValueError, match="process_id=2 is out of range for num_processes=2"):
        distributed.initialize("localhost:1", num_processes=2, process_id=2)
    with pytest.raises(ValueError, match="num_processes must be at least 1"):
        distributed.initialize("localhost:1", num_processes=0, process_id=0)
    script = (
        "import evotrain.distributed as d\n"
        f"d.initialize('localhost:{_free_port()}', num_processes=2, process_id=1, timeout_s=5)\n"
    )
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode != 0
    assert "Could not join the run at localhost:" in out.stderr and "within 5 s" in out.stderr
    assert time.monotonic() - start < 60
