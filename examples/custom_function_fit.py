"""Your own problem: fit a function with a fixed MLP (GA) and with NEAT.

``FunctionFit`` turns (inputs, targets) into a problem whose fitness is the negative mean
squared error; ``FunctionFit.from_function`` samples a function for you.

    python examples/custom_function_fit.py
"""

import os

import numpy as np

from evotrain import GA, NEAT, FunctionFit

SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version

problem = FunctionFit.from_function(
    lambda x: np.sin(2 * x[..., :1]), low=-1.0, high=1.0, num_inputs=1, num_samples=64
)

ga = GA("MlpPolicy", problem, pop_size=64, policy_kwargs={"net_arch": [16]}, seed=0)
ga.learn(2 if SMOKE else 200)
print(f"GA:   mean squared error {-ga.train_state.best_fitness:.4f}")

# NEAT's output nodes follow the targets' range (output_activation="auto"): sin(2x) lies in
# [-1, 1], so they use tanh; 0/1 targets would get a sigmoid, wider ones no squashing.
neat = NEAT("FeedForward", problem, pop_size=64, seed=0)
neat.learn(2 if SMOKE else 200)
print(f"NEAT: mean squared error {-neat.train_state.best_fitness:.4f}")

x = np.linspace(-1, 1, 5, dtype=np.float32)[:, None]
print("sin(2x):", np.round(np.sin(2 * x[:, 0]), 3))
print("GA:     ", np.round(np.ravel(ga.predict(x)[0]), 3))
