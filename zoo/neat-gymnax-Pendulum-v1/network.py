import math


def forward(obs):
    """NEAT network: 3 inputs -> 1 output."""
    x0, x1, x2 = obs
    h377 = math.tanh(6.76464557647705*x1 + 8.66157913208008*x2 - 0.524001240730286)
    y0 = -math.sin(1.60927796363831*h377 + 1.51890158653259*x0 - 1.84109926223755)
    return [y0]
