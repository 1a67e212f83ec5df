"""Every place that names algorithms agrees with the registry."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

import evotrain
import evotrain.algorithms as algorithms
from evotrain import zoo
from evotrain.algorithms import registry
from evotrain.algorithms.base import BaseEvolver
from evotrain.cli import build_parser
from evotrain.networks import Network
from evotrain.zoo.hyperparams import default_file, default_policy

ENTRIES = registry.REGISTRY


def _algo_choices() -> tuple[str, ...]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    train = sub.choices["train"]
    (algo,) = [a for a in train._actions if "--algo" in a.option_strings]
    return tuple(algo.choices)


def test_names_are_unique_and_lowercase():
    names = registry.names()
    assert len(set(names)) == len(names) == len(ENTRIES)
    assert all(n == n.lower() and n.isidentifier() for n in names)
    assert len({e.class_name for e in ENTRIES}) == len(ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_each_class_declares_what_the_registry_says(entry, recwarn):
    cls = entry.load()
    assert issubclass(cls, BaseEvolver) and cls.__name__ == entry.class_name
    assert cls.algorithm_name == entry.name
    assert isinstance(cls.display_name, str) and cls.display_name
    assert cls.default_policy in cls.policy_aliases
    # Each alias is looked up to build the network: a tiny model on XOR uses it.
    for alias in cls.policy_aliases:
        kwargs = {"pop_size": 8, "seed": 0}
        if entry.name == "neat":
            kwargs["pop_size"] = 4
        model = cls(alias, "xor", **kwargs)
        assert model.policy_name == alias
        assert isinstance(model.policy, Network)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_place_derives_the_same_name(entry):
    cls = entry.load()
    # exports: the package and evotrain.algorithms give the same class
    assert getattr(evotrain, entry.class_name) is cls
    assert entry.class_name in evotrain.__all__
    assert getattr(algorithms, entry.class_name) is cls
    assert algorithms.ALGORITHMS[entry.name] is cls
    assert registry.algorithm_class(entry.class_name) is cls
    # CLI choices, hyperparameter files and their default policy, zoo ids
    assert entry.name in _algo_choices()
    assert default_policy(entry.name) == cls.default_policy
    assert default_file(entry.name).name == f"{entry.name}.yaml"
    assert zoo.agent_id(entry.class_name, "brax:hopper") == f"{entry.name}-brax-hopper"


def test_the_cli_choices_are_exactly_the_registry():
    assert _algo_choices() == registry.names()


def test_zoo_agents_and_hyperparameter_files_name_registered_algorithms():
    names = set(registry.names())
    for agent in zoo.list_agents():
        assert agent.algorithm in names, agent.id
        assert agent.id.startswith(f"{agent.algorithm}-")
    for path in default_file("neat").parent.glob("*.yaml"):
        assert path.stem in names, path


def test_unknown_names_are_refused_with_a_close_match():
    with pytest.raises(ValueError, match="Did you mean 'neat'"):
        registry.entry("naet")
    with pytest.raises(ValueError, match="Unknown algorithm"):
        zoo.agent_id("ppo", "brax:hopper")


def test_reading_the_registry_does_not_import_jax():
    code = (
        "import sys; from evotrain.algorithms import registry; import evotrain; "
        "registry.names(); print('jax' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
