"""Quality-diversity on MountainCar: an archive of policies, one per place the car ends.

MAP-Elites keeps, for each cell of the final (position, velocity), the fittest policy
that ends there; then you can act with the best one, or with the one whose behaviour
is nearest what you ask for. Draws the archive as a heatmap and writes it as CSV.

python examples/map_elites_mountaincar.py
"""

import os

import numpy as np

from evotrain import MAPElites
from evotrain.viz import plot_archive, write_archive_csv

SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version

model = MAPElites(
    "MlpPolicy",
    "gymnax:MountainCar-v0",
    descriptor="final_obs",  # where the car ended: (position, velocity)
    bins=(20, 20),
    pop_size=32 if SMOKE else 256,
    policy_kwargs={"net_arch": [16]},
    qd_offset=-200.0,  # MountainCar's lowest return: the QD score only grows
    seed=0,
    verbose=1,
)
model.learn(3 if SMOKE else 100)

archive = model.archive
print(f"{int(archive.filled.sum())} of {archive.filled.size} cells hold an elite")
plot_archive(model, "mountaincar_archive.png", overwrite=True)
write_archive_csv(archive, "mountaincar_archive.csv", overwrite=True)

# The fittest elite acts by default; select one that ends near the left wall instead.
obs = np.array([-0.5, 0.0], np.float32)
print("best elite's action:", model.predict(obs)[0])
model.select([-1.1, 0.0])
print("left-wall elite's action:", model.predict(obs)[0], model.acting_fitness)
