"""What a source is called: the name the public schema gives it, and the upstream behind it.

A `Source` is a string (`"ALGORAND"`), so it compares, hashes and prints as its name, as the
enum it replaces did; it also says how messages call its upstream and whether its accounts are
one user's own. Sources are defined once, by name, and every later `Source(name)` is that same
object (so `is` works); an undefined name is a `ValueError`, as an enum's would be.

Which sources an app serves is not decided here but by its registry
(`resolvers/sources/`): a source can be defined in its own package, beside the four the
contract names, without editing this module.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["Source"]


class Source(str):
    """Where a holding comes from: a source's public name (the schema's `Source` value)."""

    ALGORAND: ClassVar[Source]
    CARDANO: ClassVar[Source]
    CALICO: ClassVar[Source]
    MESH: ClassVar[Source]

    upstream: str
    """The upstream's own name, as messages and logs call it ("CardanoBI")."""
    custodial: bool
    """Whether an account of this source is one user's own (read only by that user)."""

    _defined: ClassVar[dict[str, Source]] = {}

    def __new__(cls, name: str) -> Source:
        try:
            return cls._defined[name]
        except (KeyError, TypeError):
            raise ValueError(f"{name!r} is not a defined source") from None

    @classmethod
    def define(cls, name: str, *, upstream: str, custodial: bool = False) -> Source:
        """The source `name`, defined now (or the same one again: a module imported twice)."""
        known = cls._defined.get(name)
        if known is not None:
            if (known.upstream, known.custodial) != (upstream, custodial):
                raise ValueError(f"the source {name} is already defined otherwise")
            return known
        if not (name.isascii() and name.isupper() and name.replace("_", "").isalnum()):
            raise ValueError(f"a source's name is an upper-case GraphQL name, not {name!r}")
        source = str.__new__(cls, name)
        source.upstream = upstream
        source.custodial = custodial
        cls._defined[name] = source
        return source

    @property
    def value(self) -> str:
        """The name as a plain string (what ids, cursors and metrics carry)."""
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"Source.{self.value}"


Source.ALGORAND = Source.define("ALGORAND", upstream="algod")
Source.CARDANO = Source.define("CARDANO", upstream="CardanoBI")
Source.CALICO = Source.define("CALICO", upstream="Calico", custodial=True)
Source.MESH = Source.define("MESH", upstream="Mesh", custodial=True)
