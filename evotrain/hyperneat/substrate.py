"""Substrates: where a HyperNEAT network's neurons sit.

HyperNEAT (Stanley, D'Ambrosio and Gauci 2009) does not evolve a network's weights: it
evolves a CPPN that, queried at the coordinates of a source and a target neuron, returns
the weight between them. The substrate fixes those coordinates. A layered substrate has
its inputs on one row, hidden rows in between and its outputs on the last row; every
neuron of a row connects to every neuron of the next.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

Coordinates = np.ndarray
"""Neuron positions, ``(n, dim)`` float32."""


def _as_coordinates(name: str, value: object, dim: int | None) -> Coordinates:
    array = np.asarray(value, dtype=np.float32)
    if array.ndim != 2 or array.shape[0] < 1 or array.shape[1] < 1:
        raise ValueError(
            f"Substrate {name} must be coordinates of shape (n, dim) with n >= 1; got shape "
            f"{array.shape}. Give one row per neuron, e.g. [[-1.0, -1.0], [1.0, -1.0]]."
        )
    if dim is not None and array.shape[1] != dim:
        raise ValueError(
            f"Substrate {name} have {array.shape[1]} coordinates per neuron, the inputs "
            f"have {dim}: every neuron needs the same number."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"Substrate {name} must be finite numbers; got {array.tolist()}.")
    return array


@dataclasses.dataclass(frozen=True, eq=False)
class Substrate:
    """A layered substrate: inputs, hidden rows, outputs, each row fully connected to the next.

    Args:
        inputs: ``(num_inputs, dim)`` positions of the input neurons (one per observation
            entry).
        outputs: ``(num_outputs, dim)`` positions of the output neurons (one per network
            output).
        hidden: ``(n_k, dim)`` positions of each hidden row, in order (none: inputs connect
            straight to outputs).

    Raises:
        ValueError: coordinates of the wrong shape, of different dimensions or not finite.
    """

    inputs: Coordinates
    outputs: Coordinates
    hidden: tuple[Coordinates, ...] = ()

    def __post_init__(self) -> None:
        inputs = _as_coordinates("inputs", self.inputs, None)
        dim = inputs.shape[1]
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "outputs", _as_coordinates("outputs", self.outputs, dim))
        hidden = tuple(
            _as_coordinates(f"hidden row {i}", h, dim) for i, h in enumerate(self.hidden)
        )
        object.__setattr__(self, "hidden", hidden)

    def __eq__(self, other: object) -> bool:
        """Substrates of the same coordinates are equal (networks on them share programs)."""
        if type(other) is not type(self):
            return NotImplemented
        return self._rows() == other._rows()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._rows())

    def _rows(self) -> tuple[tuple[tuple[int, ...], bytes], ...]:
        return tuple((a.shape, a.tobytes()) for a in (self.inputs, self.outputs, *self.hidden))

    @property
    def dim(self) -> int:
        """Coordinates per neuron."""
        return int(self.inputs.shape[1])

    @property
    def num_inputs(self) -> int:
        return int(self.inputs.shape[0])

    @property
    def num_outputs(self) -> int:
        return int(self.outputs.shape[0])

    @property
    def layers(self) -> tuple[Coordinates, ...]:
        """Every row in order: inputs, hidden rows, outputs."""
        return (self.inputs, *self.hidden, self.outputs)

    @property
    def num_connections(self) -> int:
        """Connections between consecutive rows (what the CPPN is queried for)."""
        rows = self.layers
        return int(sum(a.shape[0] * b.shape[0] for a, b in zip(rows[:-1], rows[1:])))

    def to_dict(self) -> dict[str, list]:
        """The coordinates as JSON data (what a saved model records)."""
        return {
            "inputs": self.inputs.tolist(),
            "hidden": [h.tolist() for h in self.hidden],
            "outputs": self.outputs.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Substrate:
        """The substrate :meth:`to_dict` wrote (keys ``inputs``, ``outputs``, ``hidden``).

        Raises:
            ValueError: missing or unknown keys, or bad coordinates.
        """
        keys = set(data)
        if not {"inputs", "outputs"} <= keys or not keys <= {"inputs", "outputs", "hidden"}:
            raise ValueError(
                "A substrate given as a dict needs the keys 'inputs' and 'outputs' (and "
                f"optionally 'hidden', a list of rows); got {sorted(keys)}."
            )
        hidden = data.get("hidden") or ()
        return cls(data["inputs"], data["outputs"], tuple(hidden))  # type: ignore[arg-type]

    def check_sizes(self, num_inputs: int, num_outputs: int, what: str) -> None:
        """Raises ValueError unless the substrate has ``num_inputs`` inputs and
        ``num_outputs`` outputs (``what`` names the env in the message)."""
        if (self.num_inputs, self.num_outputs) != (num_inputs, num_outputs):
            raise ValueError(
                f"The substrate has {self.num_inputs} inputs and {self.num_outputs} outputs; "
                f"{what} needs {num_inputs} inputs (observation size) and {num_outputs} "
                "outputs. Give one input neuron per observation entry and one output neuron "
                "per network output."
            )


def row(n: int, y: float, width: float = 2.0) -> Coordinates:
    """``n`` neurons evenly spread on the line ``y`` across ``[-width/2, width/2]``
    (one neuron sits at x = 0). Returns ``(n, 2)``."""
    if n < 1:
        raise ValueError(f"A substrate row needs at least one neuron, got {n}.")
    xs = np.zeros(1) if n == 1 else np.linspace(-width / 2, width / 2, n)
    return np.stack([xs, np.full(n, y)], axis=1).astype(np.float32)


def MLPSubstrate(  # noqa: N802 - reads as a class, like the other substrates
    num_inputs: int, num_outputs: int, hidden_layers: Sequence[int] = ()
) -> Substrate:
    """A 2-D layered substrate: inputs on ``y = -1``, outputs on ``y = 1``, hidden rows
    evenly between, each row spread across ``x`` in ``[-1, 1]``.

    Args:
        num_inputs: input neurons (the observation size).
        num_outputs: output neurons.
        hidden_layers: neurons per hidden row.
    """
    hidden = [int(h) for h in hidden_layers]
    ys = np.linspace(-1.0, 1.0, len(hidden) + 2)
    return Substrate(
        inputs=row(int(num_inputs), float(ys[0])),
        outputs=row(int(num_outputs), float(ys[-1])),
        hidden=tuple(row(h, float(y)) for h, y in zip(hidden, ys[1:-1])),
    )


__all__ = ["Coordinates", "MLPSubstrate", "Substrate", "row"]
