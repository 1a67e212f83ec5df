"""The blog's weight GA (section 2) with evotrain: a fixed 4-8-2 MLP on CartPole.

The blog's settings: population 50, fitness = mean return over 3 episodes, one elite,
tournament selection (k = 3), uniform crossover, Gaussian mutation (sigma 0.1) of every
weight, initial weights ~ N(0, 0.5^2), 40 generations. The blog reports a controller that
balances the pole for the full 500 steps within about 40 generations.

    python examples/blog_ga_cartpole.py
"""

import os

from evotrain import GA

SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version

model = GA(
    "MlpPolicy",
    "gymnax:CartPole-v1",
    pop_size=50,
    n_episodes=3,
    elite_size=1,
    selection="tournament",
    tournament_size=3,
    crossover_rate=1.0,  # every child: uniform crossover of two tournament winners
    mutation_sigma=0.1,
    init_sigma=0.5,
    policy_kwargs={"net_arch": [8]},
    seed=0,
    verbose=1,
)
model.learn(2 if SMOKE else 40)
first = next((h["generation"] for h in model.history if h["fitness_max"] >= 500), None)
print(f"best fitness 500 first reached at generation {first}")
