"""evotrain: SB3-style neuroevolution (NEAT, OpenAI-ES, GA) over jitted JAX.

>>> from evotrain import OpenES, evaluate_policy
>>> model = OpenES("MlpPolicy", "gymnax:CartPole-v1", pop_size=256, seed=0).learn(30)
>>> mean, std = evaluate_policy(model, model.get_env(), n_eval_episodes=10)
"""

from evotrain.algorithms import GA, NEAT, BaseEvolver, OpenES, evaluate_policy
from evotrain.envs import FunctionFit, make_env

__version__ = "0.1.0"

__all__ = [
    "GA",
    "NEAT",
    "BaseEvolver",
    "FunctionFit",
    "OpenES",
    "__version__",
    "evaluate_policy",
    "make_env",
]
