"""Why keep an archive: a hopper loses its ankle, and the archive has a gait that copes.

Three zoo agents had the same training budget on Brax hopper (128 x 400 = 51,200
episodes): an OpenAI-ES agent that found one gait, and two MAP-Elites archives of gaits,
one of linear policies and one of NEAT networks, each with one elite per share of steps
the foot touches the ground. After training the body changes: the ankle motor fails, the
knee motor loses half its strength, or the floor turns to ice. The OpenAI-ES agent has its
one gait. From an archive we try every elite on the changed body (five episodes each: a
few hundred episodes, cheap next to training), keep the best, and score it on twenty
other episodes, as the OpenAI-ES agent and the archive's fittest elite are scored.

python examples/qd_damaged_hopper.py
"""

import os

import numpy as np
from brax import envs

from evotrain import evaluate_policy, zoo
from evotrain.envs.brax import BraxEnv

SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version
EPISODE_LENGTH = 30 if SMOKE else 1000
TRY, REPORT = (1, 1) if SMOKE else (5, 20)  # episodes to choose an elite, then to score
TRY_SEED, REPORT_SEED = 7, 8  # other episodes than the zoo cards' (seed 1000)
CHANGES = ("intact", "ankle motor fails", "knee motor at half strength", "icy floor")
CHANGES = CHANGES[:2] if SMOKE else CHANGES


def hopper(change: str) -> BraxEnv:
    """Brax hopper (spring backend, as the agents trained) with one change to its body."""
    env = envs.get_environment("hopper", backend="spring")
    gear = env.sys.actuator.gear  # motors: thigh, leg (knee), foot (ankle)
    if change == "ankle motor fails":
        env.sys = env.sys.replace(actuator=env.sys.actuator.replace(gear=gear.at[2].set(0.0)))
    elif change == "knee motor at half strength":
        env.sys = env.sys.replace(actuator=env.sys.actuator.replace(gear=gear.at[1].multiply(0.5)))
    elif change == "icy floor":
        friction = env.sys.geom_friction.at[:, 0].multiply(0.2)
        env.sys = env.sys.replace(geom_friction=friction)
    return BraxEnv(env=env, episode_length=EPISODE_LENGTH)


def score(model, env, episodes: int, seed: int) -> float:
    return evaluate_policy(model, env, n_eval_episodes=episodes, seed=seed)[0]


def adapt(archive, env) -> tuple[float, float, float]:
    """Tries the archive's elites on ``env`` and scores the best of them on other episodes.

    Returns:
        (the score of the elite chosen for this body, the share of steps its foot touched
        the ground, the score of the archive's fittest elite from training).
    """
    filled = np.asarray(archive.archive.filled)
    fittest = int(np.argmax(np.where(filled, np.asarray(archive.archive.fitness), -np.inf)))
    cells = np.flatnonzero(filled)
    if SMOKE:
        cells = cells[:: max(1, len(cells) // 3)]
    tried = {}
    for cell in cells:
        archive.select(archive.elite(int(cell))["descriptor"])
        tried[int(cell)] = score(archive, env, TRY, TRY_SEED)
    best = max(tried, key=tried.get)
    chosen = archive.elite(best)["descriptor"]
    archive.select(chosen)
    adapted = score(archive, env, REPORT, REPORT_SEED)
    archive.select(archive.elite(fittest)["descriptor"])
    as_trained = score(archive, env, REPORT, REPORT_SEED)
    archive.select(None)
    return adapted, float(chosen[0]), as_trained


single = zoo.load("openes-brax-hopper")
archives = {"MLP archive": zoo.load("mapelites-brax-hopper")}
archives["NEAT archive"] = zoo.load("neatmapelites-brax-hopper")
for name, archive in archives.items():
    print(f"{name}: {int(np.asarray(archive.archive.filled).sum())} elites")
print(f"mean return over {REPORT} episodes; an archive's elite is chosen on {TRY} others")
for change in CHANGES:
    env = hopper(change)
    line = f"{change:28s} OpenAI-ES {score(single, env, REPORT, REPORT_SEED):7.1f}"
    for name, archive in archives.items():
        adapted, contact, as_trained = adapt(archive, env)
        line += f" | {name} {adapted:7.1f} (foot down {contact:4.0%}; fittest {as_trained:6.1f})"
    print(line)
