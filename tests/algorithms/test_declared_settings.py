"""Each shell's keywords are the fields of one settings dataclass: the signature, the
checks, the save record, the upgrade of older saves and the bounds a load checks all follow
from them (walked over every registered algorithm, not listed by hand)."""

from __future__ import annotations

import dataclasses
import inspect
import json
from pathlib import Path

import pytest

from evotrain.algorithms.registry import REGISTRY
from evotrain.algorithms.settings import Settings, accepted, setting
from evotrain.persistence.validate import validate_settings

CLASSES = {e.name: e.load() for e in REGISTRY}


def _fields(cls):
    return {f.name: f for f in dataclasses.fields(cls.settings_type)}


@pytest.mark.parametrize("name", list(CLASSES))
def test_the_signature_is_the_fields(name):
    cls = CLASSES[name]
    settings = cls.settings_type
    params = inspect.signature(cls).parameters
    keywords = {n: p for n, p in params.items() if p.kind is p.KEYWORD_ONLY}
    fields = {n: f for n, f in _fields(cls).items() if n != settings.rest}
    assert keywords.keys() == fields.keys()
    for n, f in fields.items():
        assert keywords[n].default == f.default, n
    assert list(params)[:2] == ["policy", "env"]
    assert list(keywords)[0] == "pop_size"
    # Every shell keyword is there, once, whatever the algorithm.
    assert {f.name for f in dataclasses.fields(Settings)} <= keywords.keys()


@pytest.mark.parametrize("name", list(CLASSES))
def test_unknown_keywords_are_refused_with_the_closest_name(name):
    cls = CLASSES[name]
    if cls.settings_type.rest is not None:  # EvoSax: the strategy takes the rest
        with pytest.raises(TypeError, match="unexpected keyword|EvoSax itself takes"):
            cls(cls.default_policy, "xor", pop_size=8, popsize=8)
        return
    with pytest.raises(TypeError, match=r"'popsize' \(did you mean 'pop_size'\?\)"):
        cls(cls.default_policy, "xor", popsize=8)


@pytest.mark.parametrize("name", list(CLASSES))
def test_a_save_records_every_field_and_a_load_bounds_every_size_field(name, tmp_path):
    cls = CLASSES[name]
    settings = cls.settings_type
    model = cls(cls.default_policy, "xor", pop_size=8, seed=0)
    stored, needed = model.settings.record()
    assert set(stored) | set(needed) >= {n for n in _fields(cls) if n != settings.rest}
    assert not needed  # every default is JSON
    path = Path(model.save(tmp_path / "m"))
    meta = json.loads((path / "evotrain.json").read_text())
    assert meta["kwargs"] == json.loads(json.dumps(stored))
    sizes = settings.sizes()
    assert sizes.keys() >= {"pop_size", "n_episodes", "max_episode_steps", "pop_batch_size"}
    for field, bound in sizes.items():
        for bad in (0, bound + 1, 2.5, True):
            changed = {**meta, "kwargs": {**meta["kwargs"], field: bad}}
            problem = validate_settings(changed, settings)
            assert problem and f"kwargs.{field} must be an integer from 1 to {bound}" in problem
        with pytest.raises(ValueError, match=f"{field} must be an integer from 1 to {bound}"):
            cls(cls.default_policy, "xor", **{**meta["kwargs"], field: bound + 1})
    if settings.rest is None:
        extra = {**meta, "kwargs": {**meta["kwargs"], "sigmma": 0.1}}
        assert "kwargs.sigmma is not a setting of" in validate_settings(extra, settings)


def test_saves_without_a_field_take_its_declared_old_default():
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Toy(Settings):
        rate: float = setting(0.5, positive=True, was=0.25)
        width: int = setting(4, size=16)

    assert Toy.upgrade({"pop_size": 8}) == {"rate": 0.25, "pop_size": 8}
    assert Toy.upgrade({"rate": 0.5}) == {"rate": 0.5}
    assert Toy.sizes()["width"] == 16
    with pytest.raises(ValueError, match="Toy: rate must be a finite positive number"):
        Toy.parse("Toy", {"rate": -1.0})
    with pytest.raises(TypeError, match=r"'widht' \(did you mean 'width'\?\)"):
        Toy.parse("Toy", {"widht": 3})


def test_a_policy_builder_gets_only_the_keywords_it_names():
    from evotrain import OpenES

    def narrow(num_inputs, num_outputs, *, width=3):
        return (num_inputs, num_outputs, width)

    def wide(num_inputs, num_outputs, **options):
        return options

    options = {"width": 5, "substrate": "body"}
    assert accepted(narrow, options) == {"width": 5}
    assert accepted(wide, options) == options
    with pytest.raises(ValueError, match=r"Unknown policy_kwargs \['width'\]; MlpPolicy takes"):
        OpenES("MlpPolicy", "xor", policy_kwargs={"width": 3})
    with pytest.raises(ValueError, match=r"Unknown policy_kwargs \['net_arch'\]; FeedForward"):
        CLASSES["neat"]("FeedForward", "xor", policy_kwargs={"net_arch": [3]})
