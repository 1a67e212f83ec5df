"""Body substrates: neurons on the Brax robots' bodies, and their errors."""

from __future__ import annotations

import copy
import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from evotrain.hyperneat.body import SUPPORTED, _world_positions, body_layout, body_substrate

# Observation and action sizes of the Brax envs (default arguments).
SIZES = {"ant": (27, 8), "halfcheetah": (17, 6), "hopper": (11, 3), "swimmer": (8, 2)}
SIZES["walker2d"] = (17, 6)


@pytest.fixture(scope="module")
def built():
    """``{name: (layout, substrate with hidden_layers=(1, 3))}``; each env built once."""
    return {name: (body_layout(name), body_substrate(name, (1, 3))) for name in SUPPORTED}


def test_supported_envs():
    assert SUPPORTED == ("ant", "halfcheetah", "hopper", "swimmer", "walker2d")


@pytest.mark.parametrize("name", SUPPORTED)
def test_sizes_layers_and_unique_coordinates(built, name):
    layout, s = built[name]
    num_bodies = len(layout.bodies)
    assert (s.num_inputs, s.num_outputs, s.dim) == (*SIZES[name], 4)
    assert (len(layout.obs_body), len(layout.action_body)) == SIZES[name]
    assert [h.shape for h in s.hidden] == [(num_bodies, 4), (3 * num_bodies, 4)]
    assert np.all((s.inputs[:, 3] >= -1.0) & (s.inputs[:, 3] <= -0.6))
    np.testing.assert_allclose(s.outputs[:, 3], 1.0)
    layers = [float(h[0, 3]) for h in s.hidden]
    assert -0.6 < layers[0] < layers[1] < 1.0
    every = np.concatenate(s.layers)
    assert len(np.unique(every, axis=0)) == len(every), f"{name}: two neurons share a position"
    # Centred on the root (the torso), scaled so the largest |coordinate| is 1.
    assert layout.bodies[0] == "torso"
    np.testing.assert_allclose(layout.positions[0], 0.0, atol=1e-6)
    assert np.abs(layout.positions).max() == pytest.approx(1.0)
    # Neurons in observation / action order sit (within offsets) at their bodies.
    near = np.abs(s.inputs[:, :3] - layout.positions[list(layout.obs_body)]).max()
    assert near <= 0.05 + 1e-6
    np.testing.assert_allclose(s.outputs[:, :3], layout.positions[list(layout.action_body)])


def test_ant_observation_layout(built):
    layout, s = built["ant"]
    assert layout.obs_bodies[:5] == ("torso",) * 5
    assert layout.obs_bodies[13:19] == ("torso",) * 6
    assert layout.obs_label[0] == "root position z"
    assert layout.obs_label[1:5] == tuple(f"root orientation {c}" for c in "wxyz")
    assert layout.obs_label[5] == "hip_1 angle" and layout.obs_bodies[5] == "aux_1"
    assert layout.obs_kind[19:] == ("angular velocity",) * 8
    assert set(layout.obs_bodies[5:13]) == set(layout.bodies[1:])
    # Positions, angles and velocities of the torso lie in different layers.
    np.testing.assert_allclose(s.inputs[[0, 1, 13, 16], 3], [-0.9, -1.0, -0.6, -0.7])


def test_ant_legs_are_symmetric(built):
    layout, s = built["ant"]
    assert layout.action_label == tuple(f"{j}_{i}" for i in (4, 1, 2, 3) for j in ("hip", "ankle"))
    pos = {label: s.outputs[i, :3] for i, label in enumerate(layout.action_label)}
    for joint in ("hip", "ankle"):
        one, two, three, four = (pos[f"{joint}_{i}"] for i in (1, 2, 3, 4))
        np.testing.assert_allclose(two, one * [-1, 1, 1], atol=1e-6)  # mirrored in x
        np.testing.assert_allclose(four, one * [1, -1, 1], atol=1e-6)  # mirrored in y
        np.testing.assert_allclose(three, one * [-1, -1, 1], atol=1e-6)
        assert abs(one[0]) == pytest.approx(abs(one[1])) and one[0] > 0
    assert np.linalg.norm(pos["ankle_1"][:2]) > np.linalg.norm(pos["hip_1"][:2])


def test_halfcheetah_thighs_lie_either_side_of_the_torso(built):
    layout, s = built["halfcheetah"]
    back = s.outputs[layout.action_bodies.index("bthigh")]
    front = s.outputs[layout.action_bodies.index("fthigh")]
    assert back[0] < 0.0 < front[0]
    assert layout.action_bodies == ("bthigh", "bshin", "bfoot", "fthigh", "fshin", "ffoot")
    assert layout.obs_label[:2] == ("rootz position", "rooty angle")


def test_walker_legs_are_spread_apart(built):
    layout, s = built["walker2d"]
    right, left = s.outputs[:3, :3], s.outputs[3:, :3]
    np.testing.assert_allclose(right[:, 1], -0.25)
    np.testing.assert_allclose(left, right * [1, -1, 1])


def test_planar_roots_and_order(built):
    hopper, s = built["hopper"]
    assert hopper.obs_bodies[:2] == ("torso", "torso")
    assert hopper.obs_label[0] == "rootz position"
    assert hopper.action_bodies == ("thigh", "leg", "foot")
    swimmer, _ = built["swimmer"]
    assert swimmer.obs_label[:3] == ("rot angle", "rot2 angle", "rot3 angle")
    assert swimmer.action_bodies == ("mid", "back")
    # The root's two linear velocities are told apart by an offset along their own axes.
    np.testing.assert_allclose(s.inputs[5] - s.inputs[6], [0.05, 0.0, -0.05, 0.0], atol=1e-6)


def test_one_hidden_neuron_per_body(built):
    layout, _ = built["hopper"]
    s = body_substrate("brax:hopper", hidden_layers=(1,))
    assert len(s.hidden) == 1
    np.testing.assert_allclose(s.hidden[0][:, :3], layout.positions, atol=1e-6)
    assert s.num_connections == 11 * 4 + 4 * 3
    direct = body_substrate("hopper")
    assert direct.hidden == () and direct.num_connections == 11 * 3


@pytest.mark.parametrize(
    ("env", "why"),
    [
        ("brax:reacher", "no mapping"),
        ("reacher", "no mapping"),
        ("gymnax:CartPole-v1", "not a Brax env"),
        (42, "not a Brax env"),
    ],
)
def test_unsupported_envs_are_refused(env, why):
    with pytest.raises(ValueError, match=f"No body substrate for .*: {why}") as info:
        body_substrate(env)
    message = str(info.value)
    assert "ant, halfcheetah, hopper, swimmer, walker2d" in message
    assert "substrate=None" in message and "Substrate" in message


@pytest.mark.parametrize("bad", [(0,), (2, -1), (1.5,), (True,), ("2",), "2", 3])
def test_bad_hidden_layers(bad):
    with pytest.raises(ValueError, match="hidden_layers must be whole numbers >= 1"):
        body_substrate("brax:hopper", hidden_layers=bad)


def test_brax_env_instances(built):
    import jax.numpy as jnp
    from brax import kinematics

    from evotrain.envs.brax import BraxEnv

    env = BraxEnv("swimmer")
    s = body_substrate(env)
    assert (s.num_inputs, s.num_outputs) == (env.spec.obs_size, env.spec.num_outputs)
    np.testing.assert_allclose(s.inputs, body_substrate("brax:swimmer").inputs)
    # MuJoCo's kinematics (the fast path) places the links where Brax's does.
    raw = env.raw.sys
    brax_pos = np.asarray(kinematics.forward(raw, raw.init_q, jnp.zeros(raw.qd_size()))[0].pos)
    np.testing.assert_allclose(_world_positions(raw), brax_pos, atol=1e-5)
    # An observation that is not the default one (e.g. other env arguments) is refused.
    other = copy.copy(env)
    other.spec = dataclasses.replace(env.spec, obs_size=env.spec.obs_size + 2)
    with pytest.raises(ValueError, match="it has 10 observations and 2 actions"):
        body_substrate(other)


def test_module_imports_without_brax():
    code = "import sys, evotrain.hyperneat.body; assert 'brax' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
