"""The blog's second demo: OpenAI-ES against gradient ascent on a multimodal landscape.

Both start from the same point near a local optimum. Gradient ascent (red, ``jax.grad``)
climbs the nearest hill and stays there. The ES population (blue cloud) samples the
landscape around its mean (cyan) with sigma 0.8, so its search gradient follows the
landscape smoothed at that scale, and the mean slides past the small hill to the big
one. The ES is evotrain's OpenAI-ES strategy through bare ask/tell.

Writes ``es_vs_gradient.gif`` (one frame per step).

    python examples/es_vs_gradient.py
"""

import os

import jax
import jax.numpy as jnp
import numpy as np
import optax

from evotrain.strategies.open_es import OpenESConfig, OpenESParams, OpenESStrategy
from evotrain.viz.video import save_video

SMOKE = os.environ.get("EVOTRAIN_SMOKE") == "1"  # the test suite runs a tiny version
STEPS = 3 if SMOKE else 100
START = jnp.array([-1.6, -1.4])


def landscape(p):
    """A broad global peak at (1.5, 1.5), a narrow local one at (-1.5, -1.5), ripples."""
    x, y = p[..., 0], p[..., 1]
    big = 2.0 * jnp.exp(-((x - 1.5) ** 2 + (y - 1.5) ** 2) / 4.0)
    small = 0.8 * jnp.exp(-((x + 1.5) ** 2 + (y + 1.5) ** 2) / 0.3)
    return big + small + 0.1 * jnp.cos(3 * x) * jnp.cos(3 * y)


# Gradient ascent: plain steps along jax.grad.
grad = jax.jit(jax.grad(landscape))
ascent = [START]
for _ in range(STEPS):
    ascent.append(ascent[-1] + 0.1 * grad(ascent[-1]))

# OpenAI-ES: ask for a population, tell it the landscape's values.
strategy = OpenESStrategy(
    OpenESConfig(pop_size=64, num_dims=2), optimizer=optax.sgd(0.3), initializer=lambda k: START
)
params = OpenESParams(sigma_init=0.8)
state = strategy.init(jax.random.key(0), params)
means, clouds = [state.mean], [np.asarray(strategy.ask(jax.random.key(0), state, params)[0])]
key = jax.random.key(1)
for _ in range(STEPS):
    key, k_ask = jax.random.split(key)
    population, state = strategy.ask(k_ask, state, params)
    state, _ = strategy.tell(k_ask, population, landscape(population), state, params)
    means.append(state.mean)
    clouds.append(np.asarray(population))

print(f"gradient ascent ends at {np.round(ascent[-1], 2)}, f = {float(landscape(ascent[-1])):.3f}")
print(f"OpenAI-ES mean ends at  {np.round(means[-1], 2)}, f = {float(landscape(means[-1])):.3f}")

# One frame per step: the landscape, the ES cloud and mean, the gradient ascent point.
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

grid = np.linspace(-3, 3, 200)
X, Y = np.meshgrid(grid, grid)
Z = np.asarray(landscape(jnp.stack([X, Y], axis=-1)))
fig, ax = plt.subplots(figsize=(5, 5), dpi=80)
frames = []
for step in range(STEPS + 1):
    ax.clear()
    ax.contourf(X, Y, Z, levels=30, cmap="viridis")
    ax.scatter(clouds[step][:, 0], clouds[step][:, 1], s=8, color="#4a90e2", alpha=0.7)
    ax.scatter(*np.asarray(means[step]), s=60, color="cyan", edgecolors="black", zorder=3)
    ax.scatter(*np.asarray(ascent[step]), s=60, color="red", edgecolors="black", zorder=3)
    ax.scatter(*np.asarray(START), s=40, color="white", edgecolors="black", zorder=2)
    ax.set_xlim(-3, 3)
    ax.set_ylim(-3, 3)
    ax.set_title(f"step {step}: gradient ascent (red) vs OpenAI-ES (cyan mean)", fontsize=9)
    fig.tight_layout()
    fig.canvas.draw()
    frames.append(np.asarray(fig.canvas.buffer_rgba())[..., :3].copy())
plt.close(fig)
save_video(frames, "es_vs_gradient.gif", fps=10, overwrite=True)
