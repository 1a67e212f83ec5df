"""The genome-population shell: a new search over genomes is one module and one row."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from evotrain import NEAT, HyperNEAT
from evotrain.algorithms import registry
from evotrain.algorithms.genome_family import GenomeFamily
from evotrain.algorithms.genome_search import SPECIATED_NEAT

SETTINGS = {"pop_size": 24, "parents": 4, "seed": 0, "node_add": 0.3, "conn_add": 0.5}


@pytest.fixture
def hill_climb(monkeypatch):
    """The toy search's class, found through its one registry row."""
    row = registry.AlgorithmEntry("hillclimb", "tests.algorithms.toy_genome_search:GenomeHillClimb")
    monkeypatch.setattr(registry, "REGISTRY", (*registry.REGISTRY, row))
    return registry.algorithm_class("hillclimb")


def test_neat_and_hyperneat_are_the_shell_with_speciated_neat():
    for cls in (NEAT, HyperNEAT):
        assert issubclass(cls, GenomeFamily) and cls.search is SPECIATED_NEAT
        params = inspect.signature(cls).parameters
        assert {"max_species", "allocation", "compatibility_threshold", "max_nodes"} <= set(params)
        assert [c.field for c in cls.columns][:2] == ["strategy/species", "strategy/nodes_mean"]


def test_a_new_search_over_genomes_is_one_module_and_one_registry_row(hill_climb, tmp_path):
    from tests.algorithms.toy_genome_search import ClimbStrategy, GenomeHillClimb

    assert hill_climb is GenomeHillClimb
    params = inspect.signature(hill_climb).parameters
    assert params["parents"].default == 4 and params["node_add"].default == 0.2
    assert "max_species" not in params  # speciated NEAT's keywords are not this search's
    with pytest.raises(TypeError, match="'max_species'"):
        hill_climb("FeedForward", "xor", max_species=3)
    with pytest.raises(ValueError, match="parents must be 1 to pop_size"):
        hill_climb("FeedForward", "xor", pop_size=8, parents=9)

    model = hill_climb("FeedForward", "xor", **SETTINGS)
    assert isinstance(model.strategy, ClimbStrategy)
    model.learn(10)
    first, last = model.history[0], model.history[-1]
    assert last["fitness_max"] > first["fitness_max"]  # truncation selection climbs
    assert last["strategy/best_nodes"] >= 3 and "strategy/species" not in last
    genome = model.best_genome
    assert genome["feedforward"] and len(genome["nodes"]) == last["strategy/best_nodes"]
    assert "def forward(obs)" in model.to_python()

    half = hill_climb("FeedForward", "xor", **SETTINGS).learn(5, generations_per_dispatch=5)
    resumed = hill_climb.load(half.save(tmp_path / "half"))
    assert resumed.search_options == {"parents": 4}
    resumed.learn(5, reset_num_generations=False, generations_per_dispatch=2)
    assert [h["fitness_max"] for h in resumed.history] == [h["fitness_max"] for h in model.history]
    np.testing.assert_array_equal(
        np.asarray(resumed.policy_params.conns), np.asarray(model.policy_params.conns)
    )
