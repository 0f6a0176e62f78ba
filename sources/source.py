"""The four upstream sources, named as the public schema names them."""

from enum import StrEnum

__all__ = ["Source"]


class Source(StrEnum):
    """Where a holding comes from."""

    ALGORAND = "ALGORAND"
    CARDANO = "CARDANO"
    CALICO = "CALICO"
    MESH = "MESH"

    @property
    def upstream(self) -> str:
        """The upstream's own name, as messages and logs call it."""
        return _UPSTREAM_NAMES[self]


_UPSTREAM_NAMES = {
    Source.ALGORAND: "algod",
    Source.CARDANO: "CardanoBI",
    Source.CALICO: "Calico",
    Source.MESH: "Mesh",
}
