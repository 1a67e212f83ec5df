"""Loading a pretrained agent from the model zoo, checking it, and rendering it.

python examples/zoo_agent.py
"""

import os

from evotrain import evaluate_policy, zoo
from evotrain.viz.render import render_rollout

SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version

for agent in zoo.list_agents()[:5]:
    mean, std = agent.score
    print(f"{agent.id:<34} {mean:>9.1f} +/- {std:.1f}")

agent_id = "openes-gymnax-CartPole-v1"
model = zoo.load(agent_id)  # its files' sha256 are checked first
mean, std = evaluate_policy(model, model.get_env(), n_eval_episodes=3 if SMOKE else 20)
print(f"{agent_id}: {mean:.1f} +/- {std:.1f}")
render_rollout(model, "cartpole.gif", max_steps=20 if SMOKE else None, overwrite=True)
