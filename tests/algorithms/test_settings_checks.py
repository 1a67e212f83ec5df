"""Every algorithm refuses, in its constructor, settings it cannot run with: non-finite
floats anywhere in its keywords, non-positive step sizes and scales, impossible horizons."""

from __future__ import annotations

import dataclasses
import inspect
import math

import pytest

from evotrain.algorithms.registry import REGISTRY
from evotrain.limits import MAX_EPISODE_STEPS

CLASSES = {e.name: e.load() for e in REGISTRY}


def _float_keywords(cls):
    """The keywords of ``cls`` that take a float (walked, not listed by hand)."""
    sig = inspect.signature(cls)
    out = [
        n
        for n, p in sig.parameters.items()
        if isinstance(p.default, float) or "float" in str(p.annotation)
    ]
    return out + ["reward_shift"] * ("reward_shift" not in out)


@pytest.mark.parametrize("name", list(CLASSES))
def test_every_float_keyword_refuses_non_finite_values(name):
    cls = CLASSES[name]
    keywords = _float_keywords(cls)
    assert keywords or name == "evosax"
    for keyword in keywords:
        for bad in (math.inf, -math.inf, math.nan):
            with pytest.raises(ValueError, match=rf"{cls.__name__}: {keyword} must be a finite"):
                cls(cls.default_policy, "xor", **{keyword: bad})


@pytest.mark.parametrize("name", list(CLASSES))
def test_step_sizes_and_scales_must_be_positive(name):
    cls = CLASSES[name]
    fields = dataclasses.fields(cls.settings_type)
    keywords = [f.name for f in fields if f.metadata.get("positive")]
    # NEAT's step sizes (NEAT genomes' MAP-Elites too) are checked by check_params;
    # MAP-Elites' may be 0 (>= 0 checked).
    assert keywords or name in ("neat", "mapelites", "neatmapelites")
    for keyword in keywords:
        for bad in (0.0, -1.0):
            with pytest.raises(ValueError, match=rf"{keyword} must be a finite positive number"):
                cls(cls.default_policy, "xor", **{keyword: bad})


def test_nested_settings_and_evosax_options_are_checked_too():
    from evotrain import CMAES, EvoSax, OpenES

    with pytest.raises(ValueError, match=r"OpenES: env_kwargs.noise must be a finite"):
        OpenES("MlpPolicy", "xor", env_kwargs={"noise": math.nan})
    with pytest.raises(ValueError, match=r"EvoSax: std_init must be a finite"):
        EvoSax("SimpleES", "MlpPolicy", "xor", std_init=math.inf)
    with pytest.raises(ValueError, match=r"CMAES: sigma_init must be a finite"):
        CMAES("MlpPolicy", "xor", sigma_init=math.inf)


@pytest.mark.parametrize("steps", [0, -5, 10**12, 2.5, True])
def test_episode_horizons_outside_the_bounds_are_refused_by_every_family(steps):
    from evotrain import OpenES

    with pytest.raises(ValueError, match=rf"must be an integer from 1 to {MAX_EPISODE_STEPS}"):
        OpenES("MlpPolicy", "gymnax:CartPole-v1", env_kwargs={"max_steps": steps})
    with pytest.raises(ValueError, match=r"max_episode_steps must be an integer from 1"):
        OpenES("MlpPolicy", "gymnax:CartPole-v1", max_episode_steps=steps)
