"""`_entities`: a router's representations resolved one slot at a time, through the loaders.

Strawberry's own resolver fails the whole field when one representation has no `__typename`, an
unknown one, or a field the type's `resolve_reference` does not take. Here every representation
is checked on its own, before any upstream call: one that is not an object, names no entity of
this subgraph, or carries no complete `@key` becomes an error in its own slot (`path:
["_entities", i]`) and null there, while the others resolve. A well-formed one is passed, with
only its key fields, to the entity's `resolve_reference`, which reads through the request's
DataLoaders like any other field: fifty representations of fifty accounts batch like
`accounts(refs:)`, fifty of one account cost one read, and slots keep the representations' order.
At most MAX_IDS representations are resolved in one request, like `nodes(ids:)`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.federation.schema_directives import Key
from strawberry.types.base import get_object_definition

from resolvers.context import GraphOptions, RequestContext
from resolvers.errors import BadUserInput, shown

__all__ = ["Entity", "EntityResolver"]

ReferenceResolver = Callable[..., Awaitable[object | None]]


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity type: its name, its keys (each a set of field names), its resolver."""

    name: str
    keys: tuple[tuple[str, ...], ...]
    resolve_reference: ReferenceResolver

    @classmethod
    def of(cls, type_: type[Any]) -> Entity:
        """The entity a `@strawberry.federation.type(keys=...)` class declares."""
        definition = get_object_definition(type_, strict=True)
        keys = tuple(
            tuple(str(directive.fields).split())
            for directive in definition.directives or ()
            if isinstance(directive, Key)
        )
        if not keys or not all(keys):
            raise ValueError(f"{definition.name} declares no flat @key")
        return cls(definition.name, keys, type_.resolve_reference)

    def key_of(self, representation: Mapping[str, Any]) -> dict[str, str] | None:
        """The first complete key in `representation` (string values only), else None."""
        for key in self.keys:
            values = {name: representation.get(name) for name in key}
            if all(isinstance(value, str) for value in values.values()):
                return {name: str(value) for name, value in values.items()}
        return None

    def describe_keys(self) -> str:
        return " or ".join(f"({', '.join(key)})" for key in self.keys)


class EntityResolver:
    """Resolves `_entities(representations:)` for a fixed set of entity types."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self._entities = {entity.name: entity for entity in entities}

    def resolve(self, info: Any, representations: Sequence[object]) -> list[object]:
        """One awaitable (or the error that fills that slot) per representation, in order.

        graphql-core awaits the slots together, so their loaders batch; a slot holding an
        exception is null with that error at its own path. More than MAX_IDS representations
        are refused whole, before any upstream call, like `nodes(ids:)` and `accounts(refs:)`.
        """
        maximum = _max_ids(info)
        if len(representations) > maximum:
            raise BadUserInput(
                f"representations: {len(representations)} representations asked; "
                f"at most {maximum} at once"
            )
        return [
            self._slot(info, index, representation)
            for index, representation in enumerate(representations)
        ]

    def _slot(self, info: Any, index: int, representation: object) -> object:
        where = f"representations[{index}]"
        if not isinstance(representation, Mapping):
            return BadUserInput(f"{where}: {_quoted(representation)} is not an object")
        type_name = representation.get("__typename")
        entity = self._entities.get(type_name) if isinstance(type_name, str) else None
        if entity is None:
            known = ", ".join(sorted(self._entities))
            return BadUserInput(
                f"{where}: __typename {_quoted(type_name)} is not an entity of this subgraph "
                f"(one of {known})"
            )
        key = entity.key_of(representation)
        if key is None:
            return BadUserInput(
                f"{where}: no complete {entity.name} key; it needs the string fields "
                f"{entity.describe_keys()}"
            )
        return _found(where, entity, key, entity.resolve_reference(info=info, **key))


async def _found(
    where: str, entity: Entity, key: Mapping[str, str], work: Awaitable[object | None]
) -> object:
    found = await work
    if found is None:
        # Ids run long (a Cardano holding's is ~200 characters): quote whole ones.
        named = ", ".join(f"{name} {shown(value, 512)!r}" for name, value in key.items())
        raise BadUserInput(f"{where}: no {entity.name} has {named}")
    return found


def _max_ids(info: Any) -> int:
    context = getattr(info, "context", None)
    if isinstance(context, RequestContext):
        return context.options.max_ids
    return GraphOptions().max_ids


def _quoted(value: object) -> str:
    return repr(shown(value)) if isinstance(value, str) else shown(repr(value))
