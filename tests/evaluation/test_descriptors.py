"""Behaviour descriptors: each step's feature reduced over the steps an episode took (mean
or last), averaged over an individual's episodes, joined like fitness over chunks; none
asked for changes nothing; unknown names and problems without episodes are refused."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.envs import make_env
from evotrain.envs.descriptors import Descriptor
from evotrain.evaluation import EvalConfig, HostEvaluator, init_norm, make_evaluator
from evotrain.evaluation.rollout import rollout_batch
from evotrain.networks import MLP
from tests.helpers import CountdownEnv


def _steps(state):
    t = state.obs[0]
    return jnp.stack([t, t * t])


class DescribedCountdown(CountdownEnv):
    """:class:`CountdownEnv` (observation ``[t]``) describing its episodes by ``(t, t^2)``."""

    def descriptors(self):
        return {
            "time_mean": Descriptor("time_mean", 2, _steps, reduce="mean"),
            "time_last": Descriptor("time_last", 2, _steps, reduce="last"),
        }


class StopAt:
    """A network that ends the episode at its parameter's step: lane ``i`` with params
    ``k`` takes exactly ``k`` steps (or the horizon)."""

    def prepare(self, params):
        return params

    def initial_carry(self, plan):
        return ()

    def step(self, plan, carry, obs):
        return jax.nn.one_hot((obs[0] >= plan - 1).astype(jnp.int32), 2), carry


@pytest.mark.parametrize("reduce", ["mean", "last"])
def test_an_episode_is_described_over_the_steps_it_took(reduce, key):
    env = DescribedCountdown(max_steps=10)
    stops = jnp.array([1.0, 3.0, 7.0, 20.0])  # the last one runs into the horizon
    res = jax.jit(
        lambda p, k: rollout_batch(
            env, StopAt(), p, k, 10, None, False, env.descriptor(f"time_{reduce}")
        )
    )(stops, jax.random.split(key, 4))
    lengths = np.array([1, 3, 7, 10])
    np.testing.assert_array_equal(res.lengths, lengths)
    t = lengths.astype(np.float64)
    if reduce == "mean":  # the mean of (t, t^2) over t = 1..L
        want = np.stack([(t + 1) / 2, (t + 1) * (2 * t + 1) / 6], axis=1)
    else:  # the state the last step led to
        want = np.stack([t, t * t], axis=1)
    np.testing.assert_allclose(res.descriptors, want, rtol=1e-6)


def test_an_individual_is_described_by_the_mean_of_its_episodes_in_any_chunking(key):
    env = DescribedCountdown(max_steps=10)
    population = jnp.array([2.0, 4.0, 6.0, 8.0])
    norm = init_norm(1)
    whole = make_evaluator(env, StopAt(), EvalConfig(n_episodes=3, descriptor="time_last"))
    chunked = make_evaluator(
        env, StopAt(), EvalConfig(n_episodes=3, descriptor="time_last", pop_batch_size=2)
    )
    plain = make_evaluator(env, StopAt(), EvalConfig(n_episodes=3))
    a = jax.jit(whole)(key, population, norm)
    b = jax.jit(chunked)(key, population, norm)
    c = jax.jit(plain)(key, population, norm)
    np.testing.assert_allclose(a.descriptors, np.stack([population, population**2], 1))
    np.testing.assert_array_equal(a.descriptors, b.descriptors)
    assert c.descriptors is None
    for field in ("fitness", "env_steps", "episode_length_max"):  # a descriptor adds, only
        np.testing.assert_array_equal(getattr(a, field), getattr(c, field))


def test_host_envs_describe_episodes_by_their_last_observation_or_a_feature_of_your_own(key):
    """Gymnasium CartPole on the host: ``final_obs`` ends outside the bounds exactly when
    the episode ended early; a user's ``"mean"`` descriptor averages over the steps taken
    and then over an individual's episodes; slices give the same descriptors."""
    from evotrain.evaluation.host import episode_base_seed
    from evotrain.evaluation.result import HOST_SLICES, combine

    lean = Descriptor("lean", 1, feature=lambda obs: np.abs(obs[2:3]), low=(0.0,), high=(0.21,))
    env = make_env("gymnasium:CartPole-v1", max_steps=200, descriptors={"lean": lean})
    assert set(env.descriptors()) == {"final_obs", "lean"}
    assert env.descriptor("final_obs").low is None  # CartPole's velocities are unbounded
    net = MLP((4, 2))
    population = jax.vmap(net.init)(jax.random.split(key, 8))
    final = HostEvaluator(env, net, EvalConfig(descriptor="final_obs"))(
        key, population, init_norm(4)
    )
    assert final.descriptors.shape == (8, 4) and final.descriptors.dtype == np.float32
    fell = (np.abs(final.descriptors[:, 0]) > 2.4) | (np.abs(final.descriptors[:, 2]) > 0.2094)
    np.testing.assert_array_equal(fell, np.asarray(final.fitness) < 200)
    host = HostEvaluator(env, net, EvalConfig(descriptor="lean", n_episodes=2))
    whole = host(key, population, init_norm(4))
    base = episode_base_seed(key)
    # By hand: each lane's mean |angle| over the observations its steps led to.
    lanes = []
    for i in range(8):
        for e in range(2):
            one = env.make_single()
            obs, _ = one.reset(seed=base + e)
            plan = jax.tree_util.tree_map(lambda x, i=i: x[i], population)
            seen = []
            for _ in range(200):
                action = int(np.argmax(np.asarray(net.apply(plan, obs.astype(np.float32)))))
                obs, _, terminated, truncated, _ = one.step(action)
                seen.append(abs(float(obs[2])))
                if terminated or truncated:
                    break
            lanes.append(np.mean(np.asarray(seen, np.float32).astype(np.float64)))
    expected = np.asarray(lanes).reshape(8, 2).mean(1)
    np.testing.assert_allclose(whole.descriptors[:, 0], expected, rtol=1e-6)
    parts = [
        host.evaluate_slice(
            jax.tree_util.tree_map(lambda x, a=a: x[a : a + 4], population),
            base,
            init_norm(4),
            first=a,
        )
        for a in (0, 4)
    ]
    np.testing.assert_array_equal(combine(parts, HOST_SLICES).descriptors, whole.descriptors)


def test_gymnax_describes_an_episode_by_the_observation_it_ended_on(key):
    env = make_env("gymnax:CartPole-v1", max_steps=200)
    table = env.descriptors()
    assert set(table) == {"final_obs"} and table["final_obs"].size == 4
    net = MLP((4, 2))
    population = jax.vmap(net.init)(jax.random.split(key, 8))
    config = EvalConfig(descriptor="final_obs")
    result = jax.jit(make_evaluator(env, net, config))(key, population, init_norm(4))
    final = np.asarray(result.descriptors)
    assert final.shape == (8, 4)
    # CartPole ends when the cart leaves [-2.4, 2.4] or the pole leans past 12 degrees; its
    # return is its length, so an episode that ended before the horizon ended on such an
    # observation.
    fell = (np.abs(final[:, 0]) > 2.4) | (np.abs(final[:, 2]) > 12 * 2 * np.pi / 360)
    early = np.asarray(result.fitness) < 200
    assert early.any()
    np.testing.assert_array_equal(fell, early)


def test_unknown_descriptors_are_refused_with_the_declared_ones():
    env = DescribedCountdown()
    with pytest.raises(ValueError, match=r"no descriptor 'time_man'.*Did you mean 'time_mean'"):
        env.descriptor("time_man")
    with pytest.raises(ValueError, match="declares no behaviour descriptors"):
        CountdownEnv().descriptor("anything")
    # Function fitting describes what the network outputs, not episodes.
    with pytest.raises(ValueError, match="xor has no descriptor 'final_obs'; it has 'outputs'"):
        make_evaluator(make_env("xor"), MLP((2, 1)), EvalConfig(descriptor="final_obs"))
    with pytest.raises(ValueError, match="CartPole-v1 has no descriptor 'feet'"):
        HostEvaluator(make_env("gymnasium:CartPole-v1"), MLP((4, 2)), EvalConfig(descriptor="feet"))
    with pytest.raises(ValueError, match="reduce must be one of"):
        Descriptor("bad", 1, _steps, reduce="median")


def test_brax_walkers_declare_their_final_position_and_feet_contact(key):
    env = make_env("brax:hopper", backend="spring", episode_length=5)
    table = env.descriptors()
    assert set(table) == {"final_xy", "feet_contact"}
    contact = table["feet_contact"]
    assert (contact.size, contact.reduce, contact.low, contact.high) == (1, "mean", (0.0,), (1.0,))
    assert table["final_xy"].reduce == "last"
    state = jax.jit(env.reset)(key)
    x = state.inner.pipeline_state.x
    np.testing.assert_array_equal(jax.jit(table["final_xy"].feature)(state), x.pos[0, :2])

    def moved(dz):  # the whole body raised (or sunk) by dz
        return state.replace(
            inner=state.inner.replace(
                pipeline_state=state.inner.pipeline_state.replace(
                    x=x.replace(pos=x.pos.at[:, 2].add(dz))
                )
            )
        )

    touching = jax.jit(contact.feature)
    assert float(touching(moved(1.0))[0]) == 0.0  # in the air
    assert float(touching(moved(-0.3))[0]) == 1.0  # the foot in the ground
    # The ant's four feet are its unnamed leaf links; a swimmer has no feet.
    ant = make_env("brax:ant", backend="spring", episode_length=5)
    assert ant.descriptors()["feet_contact"].size == 4
    assert set(make_env("brax:swimmer", episode_length=5).descriptors()) == {"final_xy"}
