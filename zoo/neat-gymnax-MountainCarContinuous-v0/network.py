import math


def forward(obs):
    """NEAT network: 2 inputs -> 1 output."""
    x0, x1 = obs
    h126 = math.tanh(2.96122670173645*x1 - 1.28629732131958)
    h279 = math.tanh(0.621088206768036*h126 + 0.975074172019958)
    h453 = math.tanh(0.861718475818634*h279 + 0.706626772880554)
    y0 = math.tanh(0.164744317531586*h126 + 0.00716570951044559*h453 + 0.0410709232091904)
    return [y0]
