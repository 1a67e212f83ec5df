import gymnasium
import gymnax
import pytest

from evotrain.envs import FunctionFit, UnknownEnvError, make_env
from evotrain.envs.brax import BraxEnv
from evotrain.envs.gymnasium import GymnasiumEnv
from evotrain.envs.gymnax import GymnaxEnv


@pytest.mark.parametrize(
    ("env_id", "cls", "canonical"),
    [
        ("gymnax:CartPole-v1", GymnaxEnv, "gymnax:CartPole-v1"),
        ("CartPole-v1", GymnaxEnv, "gymnax:CartPole-v1"),
        ("gymnasium:CartPole-v1", GymnasiumEnv, "gymnasium:CartPole-v1"),
        ("LunarLander-v3", GymnasiumEnv, "gymnasium:LunarLander-v3"),
        ("brax:inverted_pendulum", BraxEnv, "brax:inverted_pendulum"),
        ("xor", FunctionFit, "xor"),
    ],
)
def test_ids_resolve(env_id, cls, canonical):
    if env_id == "LunarLander-v3":
        pytest.importorskip("Box2D")
    env = make_env(env_id)
    assert isinstance(env, cls)
    assert env.spec.env_id == canonical


def test_unprefixed_id_prefers_gymnax_then_gymnasium():
    assert make_env("Acrobot-v1").spec.family == "gymnax"
    assert make_env("FrozenLake-v1").spec.family == "gymnasium"


@pytest.mark.parametrize(
    ("bad", "suggestion"),
    [
        ("gymnax:CartPol-v1", "gymnax:CartPole-v1"),
        ("brax:hoper", "brax:hopper"),
        ("CartPole-v0x", "CartPole-v1"),
        ("brx:hopper", "brax:hopper"),
    ],
)
def test_unknown_id_suggests_close_matches(bad, suggestion):
    with pytest.raises(UnknownEnvError) as err:
        make_env(bad)
    message = str(err.value)
    assert bad in message and "Did you mean" in message and suggestion in message


def test_unknown_id_without_close_match_explains_format():
    with pytest.raises(UnknownEnvError, match="Ids look like"):
        make_env("zzzzzzzzzzzz")


def test_env_objects_are_accepted():
    env, params = gymnax.make("Pendulum-v1")
    assert make_env(env).spec.env_id == "gymnax:Pendulum-v1"
    assert make_env((env, params)).spec.max_steps == params.max_steps_in_episode
    assert make_env(gymnasium.make("CartPole-v1")).spec.env_id == "gymnasium:CartPole-v1"
    from brax import envs

    assert make_env(envs.get_environment("inverted_pendulum")).spec.family == "brax"
    fit = FunctionFit.xor()
    assert make_env(fit) is fit


def test_non_env_object_is_rejected():
    with pytest.raises(TypeError, match="Cannot use an object of type int"):
        make_env(3)


def test_options_on_adapter_are_rejected():
    with pytest.raises(ValueError, match="already adapted"):
        make_env(FunctionFit.xor(), max_steps=3)
