"""Every agent in the repository's zoo loads, verifies its hashes and reproduces the score
in its manifest on the manifest's evaluation episodes."""

import numpy as np
import pytest

from evotrain import zoo
from evotrain.zoo_build import EVAL_EPISODES

AGENTS = [a.id for a in zoo.list_agents()]
pytestmark = pytest.mark.slow


def test_the_zoo_has_agents_and_an_index():
    assert AGENTS, f"no agents under {zoo.zoo_root()}"
    index = (zoo.zoo_root() / "README.md").read_text()
    for agent in AGENTS:
        assert f"[{agent}]({agent}/README.md)" in index


@pytest.mark.parametrize("agent_id", AGENTS)
def test_agent_loads_and_reproduces_its_manifest(agent_id):
    agent = zoo.verify(agent_id)
    m = agent.manifest
    assert agent_id == zoo.agent_id(m["algorithm"], m["env_id"])
    assert m["evaluation"]["n_episodes"] == EVAL_EPISODES and m["evaluation"]["deterministic"]
    model = zoo.load(agent_id)
    assert model.num_generations == m["generations"] and model.seed == m["seed"]
    result = zoo.evaluate_agent(agent)
    np.testing.assert_allclose(
        result["episode_returns"], m["evaluation"]["episode_returns"], rtol=1e-4
    )
    np.testing.assert_allclose(result["mean"], m["evaluation"]["mean"], rtol=1e-4)
