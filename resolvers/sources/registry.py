"""`SourceRegistry`: the sources one app serves, in order, looked up by name.

The order is the schema's (the `Source` enum's values), the sandboxes' ports (`python
server.py sandbox`) and the portfolio's (its totals by source, its ties between sources).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from resolvers.sources.definition import SourceDefinition
from resolvers.upstream_calls import UpstreamCalls
from sources import Source
from sources.config import SourceConfig

__all__ = ["Definition", "SourceRegistry"]

Definition = SourceDefinition[Any, Any, Any]
"""A definition whose own types only its source knows."""


class SourceRegistry:
    """Definitions by source; immutable (`with_sources` makes a new registry)."""

    __slots__ = ("_by_source",)

    def __init__(self, *definitions: Definition) -> None:
        by_source: dict[Source, Definition] = {}
        keys: set[str] = set()
        for definition in definitions:
            key = definition.config.key
            if definition.source in by_source or key in keys:
                raise ValueError(f"{definition.source.value} ({key}) is registered twice")
            by_source[definition.source] = definition
            keys.add(key)
        self._by_source = by_source

    def __iter__(self) -> Iterator[Definition]:
        return iter(self._by_source.values())

    def __len__(self) -> int:
        return len(self._by_source)

    def __repr__(self) -> str:
        return f"SourceRegistry({', '.join(self.names)})"

    def __getitem__(self, source: Source) -> Definition:
        return self._by_source[source]

    def get(self, name: object) -> Definition | None:
        """The definition of the source called `name`; None when this app serves none."""
        try:
            return self._by_source.get(Source(name)) if isinstance(name, str) else None
        except ValueError:  # not even a defined source
            return None

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(self._by_source)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(source.value for source in self._by_source)

    @property
    def viewer_sources(self) -> tuple[Source, ...]:
        """The sources where a viewer may have an account of their own."""
        return tuple(d.source for d in self if d.viewer_account is not None)

    def with_sources(self, *definitions: Definition) -> SourceRegistry:
        """This registry and `definitions` after it."""
        return SourceRegistry(*self, *definitions)

    def calls(self, configs: dict[str, SourceConfig]) -> dict[Source, UpstreamCalls]:
        """Each source's upstream-call figures under `configs` (the settings' blocks by key)."""
        return {d.source: d.calls(d.configured(configs[d.config.key])) for d in self}
