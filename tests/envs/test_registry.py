import gymnasium
import gymnax
import numpy as np
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


def test_a_new_env_family_is_one_module_and_one_table_row(monkeypatch, tmp_path):
    """tests/envs/toy_family.py and the row below are all a family needs: ids, objects,
    suggestions, training, saving and loading."""
    from evotrain import OpenES
    from evotrain.envs import registry
    from tests.envs.toy_family import Line, ToyEnv

    row = registry.EnvFamily("toy", "tests.envs.toy_family", "the toys", "toy:Line-v0")
    monkeypatch.setattr(registry, "FAMILIES", [*registry.FAMILIES, row])
    env = make_env("toy:Line-v0", max_steps=5)
    assert isinstance(env, ToyEnv) and env.spec.max_steps == 5
    assert isinstance(make_env(Line()), ToyEnv)
    with pytest.raises(UnknownEnvError, match=r"in the toys\. Did you mean: toy:Line-v0\?"):
        make_env("toy:Lime-v0")
    with pytest.raises(UnknownEnvError, match="no such environment in"):
        make_env("Line-v0")  # the row takes no bare ids
    model = OpenES("MlpPolicy", "toy:Line-v0", pop_size=8, seed=0, env_kwargs={"max_steps": 5})
    model.learn(2)
    loaded = OpenES.load(model.save(tmp_path / "toy"))
    assert loaded.get_env().spec.env_id == "toy:Line-v0"
    obs = np.array([0.0, 1.0], np.float32)
    np.testing.assert_array_equal(loaded.predict(obs)[0], model.predict(obs)[0])


def test_the_function_problems_take_no_env_options():
    assert make_env("function:XOR").spec.env_id == "xor"
    with pytest.raises(ValueError, match="takes no env options; got \\['max_steps'\\]"):
        make_env("xor", max_steps=3)
