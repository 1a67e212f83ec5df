import math


def forward(obs):
    """NEAT network: 2 inputs -> 1 output."""
    x0, x1 = obs
    h44 = math.tanh(0.541033208370209*x1 + 0.05727618932724)
    h4 = math.tanh(0.557332217693329*h44 - 0.146639674901962)
    y0 = math.tanh(0.471116125583649*h4 + 0.0673811137676239)
    return [y0]
