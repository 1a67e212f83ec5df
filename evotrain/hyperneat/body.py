"""Body substrates: HyperNEAT neurons placed on the Brax robot's bodies.

Every observation entry and every action belongs to a body (a link of the robot's
``System``): a joint's angle, its velocity and its actuator belong to the link the joint
moves; the root's height, orientation and velocities belong to the root (the torso). The
substrate places each neuron at its body's position in the initial pose, so a CPPN sees the
robot's geometry (left/right, front/back, proximal/distal) and can reuse it across legs.

Observation and action layout (Brax 0.14, default env arguments; "joint angles" are the
hinge joints in link order, their velocities follow in the same order):

=========== ===========================================================================
env         observations -> bodies; actions -> bodies
=========== ===========================================================================
ant         obs 0 torso height, 1-4 torso orientation quaternion (w, x, y, z), 5-12 the
            hip/ankle angles of the four legs (hip_1, ankle_1, ..., hip_4, ankle_4), 13-15
            torso velocity (x, y, z), 16-18 torso angular velocity, 19-26 the joint
            velocities; actions (hip_4, ankle_4, hip_1, ankle_1, hip_2, ankle_2, hip_3,
            ankle_3) = the 8 joints' child links (aux_i the hips, the unnamed lower legs
            labelled after their ankle joints)
halfcheetah obs 0 torso height, 1 torso pitch, 2-7 bthigh, bshin, bfoot, fthigh, fshin,
            ffoot angles, 8-9 torso velocity (x, z), 10 torso pitch rate, 11-16 joint
            velocities; actions 0-5 = bthigh, bshin, bfoot, fthigh, fshin, ffoot
hopper      obs 0 torso height (world z), 1 torso pitch, 2-4 thigh, leg, foot angles, 5-6
            torso velocity (x, z), 7 torso pitch rate, 8-10 joint velocities; actions 0-2
            = thigh, leg, foot
swimmer     obs 0 torso yaw, 1-2 mid, back angles, 3-4 torso velocity (x, y), 5 torso yaw
            rate, 6-7 joint velocities; actions 0-1 = mid, back
walker2d    like hopper with two legs: obs 0 torso height, 1 pitch, 2-7 thigh, leg, foot,
            thigh_left, leg_left, foot_left angles, 8-9 torso velocity, 10 pitch rate,
            11-16 joint velocities; actions 0-5 = the six leg links
=========== ===========================================================================

Coordinates are 4-D ``(x, y, z, layer)``. ``(x, y, z)`` is the body's world position at
``sys.init_q`` (zero velocity), centred on the root body and scaled so the largest
``|coordinate|`` over all bodies is 1. Bodies that share a position (walker2d's two legs
lie on top of each other) are spread by ``±SPREAD`` along the axis on which the bodies vary
least (y for the planar robots, so walker2d's right leg sits at y = -0.25, its left at
+0.25; ``SPREAD = 0.25``). Inputs fill the band ``layer`` in [-1, -0.6]: angles and orientations at -1.0,
linear positions (heights) at -0.9, angular velocities at -0.7, linear velocities at -0.6.
Several entries of one body in one layer (the root quaternion, the root's x/z velocity)
are each moved by ``OFFSET = 0.05`` along their own axis (the quaternion's w stays put). Outputs
sit at their bodies in layer +1 (several actuators on one body: moved likewise). Hidden
row ``i`` of ``n`` has ``k`` neurons per body in layer ``-0.6 + 1.6 (i + 1) / (n + 1)``,
spread by up to ``±OFFSET`` along the least-varying axis when ``k > 1``.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from evotrain.hyperneat.substrate import Substrate

# Which generalized coordinates make up each env's observation, in order: (vector, slice).
_OBS_LAYOUT: dict[str, tuple[tuple[str, slice], ...]] = {
    # brax/envs/ant.py, Ant._get_obs: concatenate([q[2:], qd]) (no contact forces).
    "ant": (("q", slice(2, None)), ("qd", slice(None))),
    # brax/envs/half_cheetah.py, Halfcheetah._get_obs: concatenate((q[1:], qd)).
    "halfcheetah": (("q", slice(1, None)), ("qd", slice(None))),
    # brax/envs/hopper.py, Hopper._get_obs: q[1:] (q[1] := torso world z), clip(qd).
    "hopper": (("q", slice(1, None)), ("qd", slice(None))),
    # brax/envs/swimmer.py, Swimmer._get_obs: concatenate((q[2:], qd)).
    "swimmer": (("q", slice(2, None)), ("qd", slice(None))),
    # brax/envs/walker2d.py, Walker2d._get_obs: as hopper.
    "walker2d": (("q", slice(1, None)), ("qd", slice(None))),
}
SUPPORTED: tuple[str, ...] = tuple(sorted(_OBS_LAYOUT))

INPUT_LAYERS: dict[str, float] = {
    "angle": -1.0,
    "orientation": -1.0,
    "position": -0.9,
    "angular velocity": -0.7,
    "velocity": -0.6,
}
"""Layer coordinate of each kind of observation entry."""
OFFSET = 0.05  # between neurons of one body in one row (normalised units)
SPREAD = 0.25  # half-width over which bodies at one position are spread
_INPUT_TOP = max(INPUT_LAYERS.values())


@dataclasses.dataclass(frozen=True, eq=False)
class BodyLayout:
    """Which body each observation entry and action belongs to.

    Attributes:
        env: the brax env name (``"ant"``).
        bodies: ``(num_bodies,)`` link names (unnamed links take their joint's name).
        positions: ``(num_bodies, 3)`` normalised body positions (see the module docs).
        spread_axis: the axis (0, 1, 2) on which the bodies vary least.
        obs_body: ``(obs_size,)`` body index of each observation entry.
        obs_kind: ``(obs_size,)`` ``"angle"``, ``"orientation"``, ``"position"``,
            ``"angular velocity"`` or ``"velocity"``.
        obs_label: ``(obs_size,)`` readable names (``"hip_1 angle"``, ``"root velocity x"``).
        obs_axis: ``(obs_size, 3)`` the entry's axis (zero for a quaternion's w).
        action_body: ``(num_actions,)`` body index of each action.
        action_label: ``(num_actions,)`` the actuated joint's name.
        action_axis: ``(num_actions, 3)`` the actuated joint's axis.
    """

    env: str
    bodies: tuple[str, ...]
    positions: np.ndarray
    spread_axis: int
    obs_body: tuple[int, ...]
    obs_kind: tuple[str, ...]
    obs_label: tuple[str, ...]
    obs_axis: np.ndarray
    action_body: tuple[int, ...]
    action_label: tuple[str, ...]
    action_axis: np.ndarray

    @property
    def obs_bodies(self) -> tuple[str, ...]:
        """The body name of each observation entry."""
        return tuple(self.bodies[b] for b in self.obs_body)

    @property
    def action_bodies(self) -> tuple[str, ...]:
        """The body name of each action."""
        return tuple(self.bodies[b] for b in self.action_body)


def _unsupported(what: str, why: str) -> ValueError:
    return ValueError(
        f"No body substrate for {what}: {why}. Body substrates exist for the Brax envs "
        f"{', '.join(SUPPORTED)} (default arguments). Use substrate=None for a layered "
        "substrate sized from the env, or give a Substrate."
    )


@functools.cache
def _default_env(name: str) -> Any:
    """The :class:`~evotrain.envs.brax.BraxEnv` ``name`` with default arguments (built once)."""
    from evotrain.envs.brax import BraxEnv

    return BraxEnv(name)


def _resolve(env: Any) -> tuple[str, str, Any, int, int]:
    """``(brax name, env id, brax env, obs size, num actions)``. An id string builds (once)
    the env with default arguments."""
    from evotrain.envs.brax import BraxEnv

    if isinstance(env, str):
        family, _, name = env.rpartition(":")
        if family not in ("", "brax"):
            raise _unsupported(repr(env), "not a Brax env")
        if name not in _OBS_LAYOUT:
            raise _unsupported(repr(env), "no mapping from its observations to bodies")
        env = _default_env(name)
    if not isinstance(env, BraxEnv):
        spec = getattr(env, "spec", None)
        what = repr(spec.env_id) if spec is not None else f"an object of type {type(env).__name__}"
        raise _unsupported(what, "not a Brax env")
    name = env.spec.env_id.split(":", 1)[-1]
    if name not in _OBS_LAYOUT:
        raise _unsupported(repr(env.spec.env_id), "no mapping from its observations to bodies")
    return name, env.spec.env_id, env.raw, env.spec.obs_size, env.spec.num_outputs


def _joint_names(sys: Any, size: int, adr: str) -> list[str]:
    """The MuJoCo joint name of each q (``adr="jnt_qposadr"``) or qd slot; "" if unknown."""
    model = getattr(sys, "mj_model", None)
    if model is None:
        return [""] * size
    starts = np.asarray(getattr(model, adr))
    return [
        model.joint(int(np.searchsorted(starts, i, side="right")) - 1).name for i in range(size)
    ]


def _slots(sys: Any) -> tuple[list[tuple[int, str, np.ndarray, str]], ...]:
    """``(link, kind, axis, component)`` of every q slot and every qd slot, from the
    System's link types and dof motions (brax.base.Q_WIDTHS / QD_WIDTHS)."""
    from brax.base import Q_WIDTHS, QD_WIDTHS

    ang = np.asarray(sys.dof.motion.ang, np.float64)
    vel = np.asarray(sys.dof.motion.vel, np.float64)
    q: list[tuple[int, str, np.ndarray, str]] = []
    qd: list[tuple[int, str, np.ndarray, str]] = []
    for link, typ in enumerate(sys.link_types):
        d0 = len(qd)
        if typ == "f":  # free joint: q = position (3), quaternion (w, x, y, z); qd = 3 + 3
            q += [(link, "position", vel[d0 + i], "xyz"[i]) for i in range(3)]
            q += [(link, "orientation", np.zeros(3), "w")]
            q += [(link, "orientation", ang[d0 + 3 + i], "xyz"[i]) for i in range(3)]
            qd += [(link, "velocity", vel[d0 + i], "xyz"[i]) for i in range(3)]
            qd += [(link, "angular velocity", ang[d0 + 3 + i], "xyz"[i]) for i in range(3)]
        else:  # hinge dofs move along ang, slide dofs along vel; q and qd slots match
            for d in range(d0, d0 + QD_WIDTHS[typ]):
                hinge = bool(np.any(ang[d]))
                axis = ang[d] if hinge else vel[d]
                q.append((link, "angle" if hinge else "position", axis, ""))
                qd.append((link, "angular velocity" if hinge else "velocity", axis, ""))
    widths = sum(Q_WIDTHS[t] for t in sys.link_types), sum(QD_WIDTHS[t] for t in sys.link_types)
    if (len(q), len(qd)) != (sys.q_size(), sys.qd_size()) or widths != (len(q), len(qd)):
        raise AssertionError(f"q/qd slots {len(q)}/{len(qd)} != {sys.q_size()}/{sys.qd_size()}")
    return q, qd


def _world_positions(sys: Any) -> np.ndarray:
    """``(num_links, 3)`` link world positions at ``sys.init_q``: MuJoCo's kinematics on
    ``sys.mj_model`` when the System has one (microseconds, same numbers as Brax), else
    ``brax.kinematics.forward`` (seconds: eager JAX)."""
    model = getattr(sys, "mj_model", None)
    if model is not None and model.nbody == sys.num_links() + 1 and model.nq == sys.q_size():
        import mujoco

        data = mujoco.MjData(model)
        data.qpos[:] = np.asarray(sys.init_q)
        mujoco.mj_kinematics(model, data)
        return np.array(data.xpos[1:], np.float64)  # body 0 is the world
    import jax.numpy as jnp
    from brax import kinematics

    x, _ = kinematics.forward(sys, sys.init_q, jnp.zeros(sys.qd_size()))
    return np.asarray(x.pos, np.float64)


def _positions(sys: Any) -> tuple[np.ndarray, int]:
    """Normalised ``(num_links, 3)`` link positions at the init pose and the spread axis."""
    pos = _world_positions(sys)
    root = int(np.flatnonzero(np.asarray(sys.link_parents) < 0)[0])
    pos = pos - pos[root]
    scale = np.abs(pos).max()
    pos = pos / scale if scale > 0 else pos
    axis = int(np.argmin(np.ptp(pos, axis=0)))
    _, group = np.unique(np.round(pos, 6), axis=0, return_inverse=True)
    for g in np.unique(group):
        members = np.flatnonzero(group.reshape(-1) == g)
        if len(members) > 1:
            pos[members, axis] += np.linspace(-SPREAD, SPREAD, len(members))
    return pos, axis


def body_layout(env: Any) -> BodyLayout:
    """The bodies behind a Brax env's observation entries and actions.

    Args:
        env: a :class:`~evotrain.envs.brax.BraxEnv` or an env id (``"brax:ant"``, ``"ant"``).

    Returns:
        The :class:`BodyLayout` (builds the env, runs one forward kinematics; no stepping).

    Raises:
        ValueError: not a supported Brax env, or its sizes differ from the mapping.
    """
    name, env_id, raw, obs_size, num_actions = _resolve(env)
    sys = raw.sys
    q, qd = _slots(sys)
    names = {"q": _joint_names(sys, len(q), "jnt_qposadr")}
    names["qd"] = _joint_names(sys, len(qd), "jnt_dofadr")
    entries = []
    for vector, part in _OBS_LAYOUT[name]:
        slots = q if vector == "q" else qd
        idx = range(len(slots))[part]
        entries += [(*slots[i], names[vector][i]) for i in idx]
    q_id = np.asarray(sys.actuator.q_id).reshape(-1)
    sizes = (len(entries), len(q_id))
    if sizes != (obs_size, num_actions):
        raise _unsupported(
            repr(env_id),
            f"it has {obs_size} observations and {num_actions} actions, "
            f"the mapping for {name} {sizes[0]} and {sizes[1]} (non-default env arguments?)",
        )
    link_joint: dict[int, str] = {}
    for i, slot in enumerate(q):
        link_joint.setdefault(slot[0], names["q"][i])
    bodies = tuple(n or link_joint.get(i) or f"link{i}" for i, n in enumerate(sys.link_names))
    positions, spread_axis = _positions(sys)
    return BodyLayout(
        env=name,
        bodies=bodies,
        positions=positions,
        spread_axis=spread_axis,
        obs_body=tuple(int(e[0]) for e in entries),
        obs_kind=tuple(e[1] for e in entries),
        obs_label=tuple(" ".join(s for s in (e[4], e[1], e[3]) if s) for e in entries),
        obs_axis=np.array([e[2] for e in entries], np.float64).reshape(-1, 3),
        action_body=tuple(int(q[i][0]) for i in q_id),
        action_label=tuple(names["q"][i] for i in q_id),
        action_axis=np.array([q[i][2] for i in q_id], np.float64).reshape(-1, 3),
    )


def _place(
    positions: np.ndarray, body: Sequence[int], layer: np.ndarray, axis: np.ndarray
) -> np.ndarray:
    """``(n, 4)`` coordinates: each neuron at its body in its layer; neurons sharing a body
    and a layer moved by ``OFFSET`` along their axes."""
    coords = np.concatenate([positions[list(body)], layer[:, None]], axis=1)
    keys = [(b, float(v)) for b, v in zip(body, layer)]
    for key in set(keys):
        members = [i for i, k in enumerate(keys) if k == key]
        if len(members) > 1:
            coords[members, :3] += OFFSET * axis[members]
    return coords


def _check_hidden(hidden_layers: Sequence[int]) -> tuple[int, ...]:
    entries = () if isinstance(hidden_layers, (str, int)) else tuple(hidden_layers)
    ok = [isinstance(k, (int, np.integer)) and not isinstance(k, bool) and k >= 1 for k in entries]
    if isinstance(hidden_layers, (str, int)) or not all(ok):
        raise ValueError(
            f"hidden_layers must be whole numbers >= 1 (neurons per body in each hidden "
            f"row), e.g. (2,); got {hidden_layers!r}."
        )
    return tuple(int(k) for k in entries)


def body_substrate(env: Any, hidden_layers: Sequence[int] = ()) -> Substrate:
    """A substrate whose neurons sit on the Brax robot's bodies (see the module docs).

    Args:
        env: a :class:`~evotrain.envs.brax.BraxEnv` or an env id (``"brax:ant"``, ``"ant"``),
            one of :data:`SUPPORTED`.
        hidden_layers: neurons per body in each hidden row (empty: inputs connect straight
            to the outputs).

    Returns:
        A 4-D :class:`Substrate`: inputs ``(obs_size, 4)`` in observation order, hidden rows
        ``(k * num_bodies, 4)``, outputs ``(num_actions, 4)`` in action order.

    Raises:
        ValueError: an unsupported env, or a hidden_layers entry that is not an int >= 1.
    """
    hidden = _check_hidden(hidden_layers)
    lay = body_layout(env)
    in_layer = np.array([INPUT_LAYERS[k] for k in lay.obs_kind])
    inputs = _place(lay.positions, lay.obs_body, in_layer, lay.obs_axis)
    out_layer = np.ones(len(lay.action_body))
    outputs = _place(lay.positions, lay.action_body, out_layer, lay.action_axis)
    rows = []
    num_bodies = len(lay.bodies)
    for i, k in enumerate(hidden):
        layer = _INPUT_TOP + (1.0 - _INPUT_TOP) * (i + 1) / (len(hidden) + 1)
        shift = np.zeros((k, 3))
        shift[:, lay.spread_axis] = np.linspace(-OFFSET, OFFSET, k) if k > 1 else 0.0
        xyz = (lay.positions[:, None, :] + shift[None]).reshape(num_bodies * k, 3)
        rows.append(np.concatenate([xyz, np.full((len(xyz), 1), layer)], axis=1))
    substrate = Substrate(inputs=inputs, outputs=outputs, hidden=tuple(rows))
    for r, coords in enumerate(substrate.layers):
        if len(np.unique(coords, axis=0)) != len(coords):
            raise AssertionError(f"{lay.env}: row {r} of the body substrate repeats a position")
    return substrate


__all__ = ["INPUT_LAYERS", "SUPPORTED", "BodyLayout", "body_layout", "body_substrate"]
