import math


def forward(obs):
    """NEAT network: 8 inputs -> 1 output."""
    x0, x1, x2, x3, x4, x5, x6, x7 = obs
    y0 = -math.tanh(0.036429475992918*x0 + 0.458806127309799*x1 + 1.05705857276917*x2 - 0.0572916939854622*x4 + 0.282890856266022*x6 + 0.400245785713196*x7 + 0.0121827982366085)
    return [y0]
