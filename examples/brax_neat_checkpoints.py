"""NEAT on a Brax env with held-out evaluation, checkpoints, and a resumed run.

A long run stops (a job's time limit, a crash); the newest checkpoint resumes it exactly
as if it had never stopped.

    python examples/brax_neat_checkpoints.py
"""

import os

from evotrain import NEAT
from evotrain.callbacks import CheckpointCallback, EvalCallback, latest_checkpoint

SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version
GENERATIONS = 3 if SMOKE else 100
settings = {
    "pop_size": 16 if SMOKE else 150,
    "env_kwargs": {"backend": "spring", "episode_length": 50 if SMOKE else 1000},
    "seed": 0,
    "verbose": 1,
}
model = NEAT("FeedForward", "brax:inverted_pendulum", **settings)
callbacks = [
    # Every 10 generations: 5 deterministic episodes on held-out starts; the best model so
    # far goes to runs/pendulum/best_model.
    EvalCallback(
        model.get_env(),
        eval_freq=1 if SMOKE else 10,
        n_eval_episodes=5,
        best_model_save_path="runs/pendulum",
        log_path="runs/pendulum",
    ),
    # Every 5 generations: a whole saved model (Orbax + JSON).
    CheckpointCallback(1 if SMOKE else 5, "runs/pendulum/checkpoints", max_to_keep=3),
]
model.learn(GENERATIONS - 1, callback=callbacks)  # ... and the job stops here

# Later, in a new process: continue from the newest checkpoint.
path = latest_checkpoint("runs/pendulum/checkpoints")
resumed = NEAT.load(path)
print(f"resuming {path} at generation {resumed.num_generations}")
resumed.learn(1, reset_num_generations=False)
print(
    f"best fitness after {resumed.num_generations} generations: "
    f"{float(resumed.train_state.best_fitness):.1f}"
)
