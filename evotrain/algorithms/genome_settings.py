"""The declared settings of a genome-population shell, composed from its parts.

A :class:`~evotrain.algorithms.genome_family.GenomeFamily` subclass takes, as fields of
one :class:`GenomeSettings` dataclass (:func:`genome_settings` makes it):

- the family's own: ``pop_size`` (150), ``preset``, ``activate_time``;
- the subclass's own (its ``own_settings`` dataclass: HyperNEAT's substrate options);
- the genome layout: every :class:`~evotrain.neat.genome.GenomeConfig` field the user
  chooses (``max_nodes``, ``activation_options``, ...);
- the search's: its shape-fixing options and the fields of its numbers (speciated NEAT:
  ``max_species``, ``allocation`` and every :class:`~evotrain.neat.params.NEATParams`
  field);
- the shell's (:class:`~evotrain.algorithms.settings.Settings`).

A subclass's ``default_overrides`` change defaults (a preset and explicit keywords still
override them); its ``legacy_defaults`` and the search's ``legacy`` are the ``was``
defaults of saves made before every setting was recorded (evotrain 0.1).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Self

from evotrain.algorithms.genome_search import GenomeSearch
from evotrain.algorithms.settings import MISSING, Settings, setting
from evotrain.limits import MAX_ACTIVATE_TIME, MAX_CONNS, MAX_NODES, MAX_POP_SIZE
from evotrain.neat.genome import GenomeConfig
from evotrain.neat.presets import get_preset, legacy_preset

_SIZE_FIELDS = ("num_inputs", "num_outputs", "feedforward")  # fixed by the env and policy
_GENOME_SIZES = {"max_nodes": MAX_NODES, "max_conns": MAX_CONNS}
GENOME_FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(GenomeConfig) if f.name not in _SIZE_FIELDS
)
"""Genome layout keywords (every :class:`GenomeConfig` field the user chooses)."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class GenomeSettings(Settings):
    """The family's own keywords; :func:`genome_settings` adds the rest."""

    pop_size: int = setting(150, size=MAX_POP_SIZE)
    preset: str | None = setting(None)
    activate_time: int = setting(1, size=MAX_ACTIVATE_TIME)

    search: ClassVar[GenomeSearch]
    own: ClassVar[tuple[str, ...]] = ()
    """The names of the subclass's own fields (for its policy builder)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.search.check(self.search_params())

    @classmethod
    def parse(cls, owner: str, kwargs: dict[str, Any]) -> Self:
        """As :meth:`Settings.parse`, after the ``preset``'s values (explicit keywords
        override them)."""
        preset = kwargs.get("preset")
        base = get_preset(preset) if preset is not None else {}
        return super().parse(owner, {**base, **kwargs})

    @classmethod
    def upgrade(cls, saved: dict[str, Any]) -> dict[str, Any]:
        """As :meth:`Settings.upgrade`; a save that did not record every genome setting
        (evotrain 0.1) also gets its preset by that version's values."""
        if set(GENOME_FIELDS) <= saved.keys():
            return super().upgrade(saved)
        saved = dict(saved)
        preset = saved.pop("preset", None)
        old = legacy_preset(preset) if isinstance(preset, str) else {}
        return super().upgrade({**old, **saved})

    @classmethod
    def individual_size(cls, kwargs: dict[str, Any], obs_size: int, num_outputs: int) -> int:
        """A genome's rows: ``max_nodes + max_conns``."""
        return sum(kwargs.get(name, cls.default(name)) for name in _GENOME_SIZES)

    def genome_kwargs(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in GENOME_FIELDS}

    def own_kwargs(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.own}

    def search_options(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.search.options}

    def search_params(self) -> Any:
        numbers = {f.name for f in dataclasses.fields(self.search.params)}
        return self.search.params(**{name: getattr(self, name) for name in numbers})


def genome_settings(
    name: str,
    search: GenomeSearch,
    own: type | None = None,
    overrides: dict[str, Any] | None = None,
    legacy: dict[str, Any] | None = None,
    bases: tuple[type, ...] = (),
) -> type[GenomeSettings]:
    """The settings dataclass ``{name}Settings`` of a genome-population shell.

    Args:
        name: the shell's class name.
        search: its search over genomes (options and numbers become fields).
        own: a dataclass of the subclass's own fields (declared with
            :func:`~evotrain.algorithms.settings.setting`), or None.
        overrides: defaults that differ for this shell.
        legacy: ``was`` defaults (besides ``search.legacy``) of evotrain 0.1 saves.
        bases: other settings classes whose fields and checks the shell also takes
            (a quality-diversity shell's archive keywords), after :class:`GenomeSettings`.
    """
    overrides = overrides or {}
    was = {**search.legacy, **(legacy or {})}
    genome = {f.name: f for f in dataclasses.fields(GenomeConfig) if f.name in GENOME_FIELDS}
    declared: list[tuple[str, Any, Any, dict[str, Any]]] = []
    for f in dataclasses.fields(own) if own is not None else ():
        declared.append((f.name, f.type, f.default, dict(f.metadata)))
    for n, f in genome.items():
        declared.append((n, f.type, f.default, {"size": _GENOME_SIZES.get(n)}))
    for n, default in search.options.items():
        declared.append((n, Any, default, {"size": search.sizes.get(n)}))
    for f in dataclasses.fields(search.params):
        declared.append((f.name, f.type, f.default, {}))
    fields = []
    for n, kind, default, meta in declared:
        meta.setdefault("size", None)
        field = setting(
            overrides.get(n, default),
            size=meta["size"],
            positive=meta.get("positive", False),
            was=was.get(n, MISSING),
        )
        fields.append((n, kind, field))
    return dataclasses.make_dataclass(
        f"{name}Settings",
        fields,
        bases=(GenomeSettings, *bases),
        frozen=True,
        kw_only=True,
        namespace={
            "search": search,
            "own": tuple(f.name for f in dataclasses.fields(own)) if own else (),
            "__doc__": f"{name}'s keywords (see its docs and :mod:`{__name__}`).",
            "__module__": __name__,
        },
    )


__all__ = ["GENOME_FIELDS", "GenomeSettings", "genome_settings"]
