"""NEAT on XOR (the blog's section 3): topology and weights evolve together.

Writes ``xor_network.svg`` (the best network found), and the blog's first demo: the
network growing over the generations, as ``xor_topology.gif`` and ``xor_topology.html`` (a
page with a generation slider that opens offline).

    python examples/neat_xor.py
"""

import os

import numpy as np

from evotrain import NEAT
from evotrain.callbacks import RecordTopology
from evotrain.viz import animate_topology

SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version

# NEAT's defaults solve XOR too (100 of 100 seeds, 41 generations on average); the "xor"
# preset, tuned on it, takes 35 (the NEAT paper reports 32; see BENCHMARKS.md).
model = NEAT("FeedForward", "xor", preset="xor", seed=0)
# RecordTopology writes the best genome of every generation to runs/xor/topology.jsonl.
model.learn(3 if SMOKE else 150, callback=RecordTopology("runs/xor"))

genome = model.best_genome
hidden = sum(1 for n in genome["nodes"] if n["type"] == "hidden")
print(f"best fitness {genome['fitness']:.4f} with {hidden} hidden node(s)")
for x in ([0, 0], [0, 1], [1, 0], [1, 1]):
    out, _ = model.predict(np.asarray(x, np.float32))
    print(x, "->", round(float(np.ravel(out)[0]), 3))
model.plot_network("xor_network.svg")
animate_topology("runs/xor", "xor_topology.gif", overwrite=True)
animate_topology(
    "runs/xor", "xor_topology.html", overwrite=True
)  # or: evotrain animate runs/xor -o xor_topology.html
