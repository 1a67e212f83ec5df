"""Host-env evaluation in-process: slices combine to the same bits, envs that end are not
stepped again, and an env that raises is reported with the individual it was playing."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import jax
import numpy as np
import pytest

from evotrain.envs import make_env
from evotrain.evaluation import EvalConfig, HostEvaluator, init_norm
from evotrain.evaluation.host import EnvEvaluationError, episode_base_seed
from evotrain.evaluation.result import HOST_SLICES, combine
from evotrain.networks import MLP
from tests.evaluation import flaky_envs
from tests.evaluation.test_evaluate import _population


def test_slices_combine_to_the_whole_population_bit_for_bit(key):
    env = make_env("gymnasium:CartPole-v1", max_steps=60)
    net = MLP((4, 4, 2))
    pop = _population(net, 7)
    host = HostEvaluator(env, net, EvalConfig(n_episodes=2, obs_normalization=True))
    whole = host(key, pop, init_norm(4))
    base = episode_base_seed(key)
    parts = [
        host.evaluate_slice(
            jax.tree_util.tree_map(lambda x, a=a, b=b: x[a:b], pop), base, init_norm(4), first=a
        )
        for a, b in ((0, 3), (3, 7))
    ]

    def fields(res):
        s = res.obs_stats
        return (res.fitness, res.env_steps, res.episode_length_max, s.count, s.sum, s.sumsq)

    for got, want in zip(fields(combine(parts, HOST_SLICES)), fields(whole), strict=True):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    host.close()


def test_finished_episodes_are_not_stepped_again(key):
    counted = []

    class Counting:
        def __init__(self, env):
            self.env = env

        def reset(self, **kw):
            return self.env.reset(**kw)

        def step(self, action):
            counted.append(1)
            return self.env.step(action)

        def close(self):
            self.env.close()

    env = make_env("gymnasium:CartPole-v1", max_steps=200)
    net = MLP((4, 4, 2))
    host = HostEvaluator(env, net, EvalConfig())
    host._envs = [Counting(env.make_single()) for _ in range(5)]
    res = host(key, _population(net, 5), init_norm(4))
    assert len(counted) == int(res.env_steps) < 5 * int(res.episode_length_max)


def test_an_env_that_raises_names_the_env_and_the_individual(key, tmp_path):
    flaky_envs.register()
    marker = tmp_path / "broken"
    marker.touch()
    env = make_env(f"gymnasium:{flaky_envs.ENV_ID}", marker=str(marker), mode="raise")
    net = MLP((4, 4, 2))
    host = HostEvaluator(env, net, EvalConfig(n_episodes=2))
    with pytest.raises(EnvEvaluationError) as info:
        host.evaluate_slice(_population(net, 3), 100, init_norm(4), first=10)
    err = info.value
    assert (err.env_id, err.individual, err.seed) == (f"gymnasium:{flaky_envs.ENV_ID}", 10, 100)
    assert (
        "raised RuntimeError: the flaky env broke on purpose while evaluating individual 10"
        in str(err)
    )


def test_the_ray_docs_commands_parse():
    from evotrain.cli import build_parser
    from evotrain.zoo.hyperparams import parse_override

    text = (Path(__file__).parents[2] / "docs" / "ray.md").read_text()
    commands = re.findall(r"^(evotrain train .*)$", text, re.M)
    assert commands
    for command in commands:
        args = build_parser().parse_args(shlex.split(command)[1:])
        overrides = dict(parse_override(t) for t in args.hyperparams)
        assert overrides["evaluator"] == "ray" and overrides["n_workers"] == 2
