"""HyperNEAT (the blog's CPPN section): NEAT evolves a small CPPN, and the CPPN, queried at
every pair of neuron positions, draws the weights of a larger substrate network.

Writes ``cppn.svg`` (the evolved CPPN), ``substrate.svg`` (the network it draws) and
``substrate.json``.

    python examples/hyperneat_cppn.py
"""

import os

from evotrain import HyperNEAT
from evotrain.evaluation.evaluate_policy import evaluate_policy

SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version

# The substrate: CartPole's 4 inputs and 2 outputs on a line each, a hidden layer of 5.
model = HyperNEAT(
    "FeedForward",
    "gymnax:CartPole-v1",
    hidden_layers=(5,),
    pop_size=16 if SMOKE else 200,
    seed=0,
    verbose=1,
)
model.learn(2 if SMOKE else 10)
mean, _ = evaluate_policy(model, model.get_env(), n_eval_episodes=5)
print(f"CartPole: {mean:.1f}")
model.plot_network("cppn.svg", overwrite=True)
model.plot_substrate("substrate.svg", overwrite=True)
model.export_substrate("substrate.json", overwrite=True)
