"""The blog's OpenAI-ES (section 5) with evotrain, as written there.

The blog's settings: theta starts at zero, population 50 plain (not mirrored) Gaussian
perturbations with sigma 0.1, fitness = mean return over 3 episodes, rewards z-scored,
and a plain gradient step ``theta += alpha / (pop * sigma) * sum(r_i * eps_i)`` with
alpha 0.03 (optax.sgd), 40 generations.

    python examples/blog_es_cartpole.py
"""

import os

import optax

from evotrain import OpenES
from evotrain.evaluation.evaluate_policy import evaluate_policy

SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version

model = OpenES(
    "MlpPolicy",
    "gymnax:CartPole-v1",
    pop_size=50,
    n_episodes=3,
    sigma=0.1,
    optimizer=optax.sgd(0.03),
    fitness_shaping="z_score",
    antithetic=False,
    zero_init=True,
    policy_kwargs={"net_arch": [8]},
    seed=0,
)
for generation in range(1, (2 if SMOKE else 40) + 1):
    model.learn(1, reset_num_generations=False)
    score, _ = evaluate_policy(model, model.get_env(), n_eval_episodes=3, seed=generation)
    print(f"generation {generation:3d} | score of theta: {score:.0f}")
