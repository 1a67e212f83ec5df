"""Host envs on Ray workers: the same results as in-process evaluation whatever the worker
count, seeds instead of parameters, and workers that die or envs that raise."""

from __future__ import annotations

import jax
import numpy as np
import pytest
import ray

from evotrain import GA, NEAT, MAPElites, OpenES
from evotrain.callbacks import CheckpointCallback
from evotrain.evaluation.host import EnvEvaluationError
from evotrain.evaluation.ray_pool import slices
from tests.evaluation import flaky_envs

SMALL = {"max_episode_steps": 60, "seed": 5}
MAKE = {
    "OpenES": lambda **kw: OpenES(
        "MlpPolicy",
        "gymnasium:CartPole-v1",
        pop_size=8,
        policy_kwargs={"net_arch": [4]},
        n_episodes=2,
        **SMALL,
        **kw,
    ),
    "GA": lambda **kw: GA(
        "MlpPolicy",
        "gymnasium:CartPole-v1",
        pop_size=8,
        policy_kwargs={"net_arch": [4]},
        **SMALL,
        **kw,
    ),
    "MAPElites": lambda **kw: MAPElites(
        "MlpPolicy",
        "gymnasium:CartPole-v1",
        pop_size=8,
        policy_kwargs={"net_arch": [4]},
        descriptor="final_obs",
        bins=(4, 4, 2, 2),
        low=(-2.4, -3.0, -0.21, -3.0),
        high=(2.4, 3.0, 0.21, 3.0),
        **SMALL,
        **kw,
    ),
    "NEAT": lambda **kw: NEAT(
        "FeedForward",
        "gymnasium:CartPole-v1",
        pop_size=10,
        max_nodes=8,
        max_conns=12,
        **SMALL,
        **kw,
    ),
}


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    """A local Ray with 2 CPUs for this module (workers see the flaky env's module)."""
    ray.cloudpickle.register_pickle_by_value(flaky_envs)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    flaky_envs.register()
    yield
    ray.shutdown()


def _history(model):
    return np.stack([h["fitness"] for h in model.history])


def _leaves(model):
    return [np.asarray(x) for x in jax.tree_util.tree_leaves(model.train_state)[1:]]


@pytest.mark.parametrize(
    "name, counts",
    [("OpenES", (1, 2)), ("GA", (2,)), ("NEAT", (2,)), ("MAPElites", (2,))],
    ids=["OpenES", "GA", "NEAT", "MAPElites"],
)
def test_ray_with_one_and_two_workers_equals_in_process_bitwise(name, counts):
    # Each worker pool starts its Python processes anew (about 10 s): one and two workers
    # on OpenES, two (the count that splits the population) on the others.
    reference = MAKE[name]().learn(3)
    for n in counts:
        model = MAKE[name](evaluator="ray", n_workers=n).learn(3)
        np.testing.assert_array_equal(_history(model), _history(reference), err_msg=f"{n}")
        for got, want in zip(_leaves(model), _leaves(reference), strict=True):
            np.testing.assert_array_equal(got, want, err_msg=f"{name} {n} workers")
        assert len(model._step.evaluate.workers) == n
        model.close()
    if name == "MAPElites":  # the archive filled from descriptors computed on the workers
        assert int(np.asarray(reference.archive.filled).sum()) > 1


def test_seeds_travel_instead_of_parameters():
    sent = {}
    for payload in ("seeds", "params"):
        model = MAKE["OpenES"](evaluator="ray", n_workers=2, ray_payload=payload).learn(1)
        sent[payload] = model._step.evaluate.sent_bytes
        model.close()
    num_params = MAKE["OpenES"]().policy.num_params
    # params: every individual's parameters; seeds: the strategy state and a key per worker
    assert sent["params"] >= 8 * num_params * 4
    assert sent["seeds"] < sent["params"]


def test_a_killed_worker_is_replaced_and_the_generation_unchanged(tmp_path):
    marker = tmp_path / "crashed"
    env = f"gymnasium:{flaky_envs.ENV_ID}"
    make = lambda **kw: OpenES(  # noqa: E731
        "MlpPolicy", env, pop_size=8, policy_kwargs={"net_arch": [4]}, **SMALL, **kw
    )
    reference = make(env_kwargs={"marker": None}).learn(2)
    model = make(env_kwargs={"marker": str(marker)}, evaluator="ray", n_workers=2).learn(2)
    assert marker.exists(), "no worker was killed"
    assert model._step.evaluate.replaced == 1
    np.testing.assert_array_equal(_history(model), _history(reference))
    model.close()


def test_an_env_that_always_raises_stops_with_a_clear_error_after_the_checkpoint(tmp_path):
    marker = tmp_path / "broken"
    env = f"gymnasium:{flaky_envs.ENV_ID}"
    model = OpenES(
        "MlpPolicy",
        env,
        pop_size=8,
        policy_kwargs={"net_arch": [4]},
        env_kwargs={"marker": str(marker), "mode": "raise"},
        evaluator="ray",
        n_workers=1,
        **SMALL,
    )

    def break_after_two(locals_):
        if locals_["self"].num_generations == 2:
            marker.touch()
        return True

    checkpoints = CheckpointCallback(1, str(tmp_path / "checkpoints"))
    with pytest.raises(EnvEvaluationError) as info:
        model.learn(5, callback=[checkpoints, break_after_two])
    text = str(info.value)
    assert f"gymnasium:{flaky_envs.ENV_ID}" in text and "individual 0" in text
    assert "the flaky env broke on purpose" in text and "all 3 attempts" in text
    assert info.value.individual == 0
    saved = OpenES.load(
        checkpoints.checkpoint_path(2), evaluator="inprocess", env_kwargs={"marker": None}
    )
    assert saved.num_generations == 2
    model.close()


def test_slices_cover_the_population_in_order():
    assert slices(8, 2) == [(0, 4), (4, 8)]
    assert slices(10, 4) == [(0, 2), (2, 5), (5, 8), (8, 10)]
    assert slices(3, 5) == [(0, 1), (1, 2), (2, 3)]


def test_bad_evaluator_settings_are_refused():
    with pytest.raises(ValueError, match="evaluator='ray' is for host envs"):
        OpenES("MlpPolicy", "gymnax:CartPole-v1", evaluator="ray")
    with pytest.raises(ValueError, match="evaluator must be 'inprocess' or 'ray'"):
        OpenES("MlpPolicy", "gymnasium:CartPole-v1", evaluator="dask")
    with pytest.raises(ValueError, match="n_workers must be a positive integer"):
        OpenES("MlpPolicy", "gymnasium:CartPole-v1", evaluator="ray", n_workers=0)
    with pytest.raises(ValueError, match="ray_payload must be"):
        OpenES("MlpPolicy", "gymnasium:CartPole-v1", evaluator="ray", ray_payload="bytes")


def test_ray_starts_itself_with_n_workers_cpus_when_not_running(tmp_path):
    import subprocess
    import sys

    script = (
        "import ray\n"
        "from evotrain import OpenES\n"
        "m = OpenES('MlpPolicy', 'gymnasium:CartPole-v1', pop_size=4, max_episode_steps=20,\n"
        "           evaluator='ray', n_workers=1).learn(1)\n"
        "assert ray.is_initialized() and ray.cluster_resources()['CPU'] == 1\n"
        "print('ok', m.num_timesteps)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("ok")


def test_a_missing_ray_names_the_pip_command(monkeypatch):
    import sys

    from evotrain.evaluation.ray_pool import _import_ray

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'evotrain\[ray\]'"):
        _import_ray()
