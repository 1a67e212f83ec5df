"""CMA-ES (through evosax) on Pendulum: any evosax strategy runs under the same trainer.

python examples/cmaes_pendulum.py
"""

import os

from evotrain import CMAES, EvoSax

SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version

model = CMAES(
    "MlpPolicy",
    "gymnax:Pendulum-v1",
    pop_size=16 if SMOKE else 64,
    n_episodes=4,
    policy_kwargs={"net_arch": [16]},
    seed=0,
    verbose=1,
)
model.learn(2 if SMOKE else 200)

# Every other evosax strategy by its name, e.g. separable NES:
snes = EvoSax("SNES", "MlpPolicy", "gymnax:Pendulum-v1", pop_size=16, seed=0)
snes.learn(2 if SMOKE else 200)
print(
    "CMA-ES best",
    float(model.train_state.best_fitness),
    "| SNES best",
    float(snes.train_state.best_fitness),
)
