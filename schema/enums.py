"""The schema's enums, exposed from the Python enums the lower layers use (and `Source`, whose
values are the served sources: `schema/source_enum.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry

from resolvers.records import AssetKind, PositionKind, ProviderKind
from schema.source_enum import Source

__all__ = ["AssetKind", "PositionKind", "ProviderKind", "Source"]

E = TypeVar("E", bound=type[Enum])


def _exposed(cls: E, *, name: str, description: str, value_descriptions: Mapping[str, str]) -> E:
    """`cls` as a GraphQL enum with a description on the type and on every value.

    Strawberry registers the definition on the class itself, so the schema annotates fields
    with the very enums the lower layers use.
    """
    exposed = strawberry.enum(cls, name=name, description=description)
    definition = exposed.__strawberry_definition__  # type: ignore[attr-defined]
    for value in definition.values:
        value.description = value_descriptions[value.name]
    return exposed


_exposed(
    AssetKind,
    name="AssetKind",
    description="What sort of asset a holding is of.",
    value_descriptions={
        "NATIVE": "A chain's own coin (ALGO, ADA).",
        "FUNGIBLE": "A fungible token or coin.",
        "NFT": "A non-fungible token.",
        "EQUITY": "A share of a listed company or fund.",
    },
)

_exposed(
    PositionKind,
    name="PositionKind",
    description="Which part of a brokerage portfolio a position belongs to.",
    value_descriptions={
        "EQUITY": "Stocks and funds.",
        "CRYPTOCURRENCY": "Cryptocurrencies, on an exchange or in a self-custody wallet.",
        "NFT": "Non-fungible tokens.",
    },
)

_exposed(
    ProviderKind,
    name="ProviderKind",
    description="What sort of institution or network holds assets.",
    value_descriptions={
        "EXCHANGE": "A crypto exchange.",
        "BROKERAGE": "A securities brokerage.",
        "WALLET": "A self-custody wallet.",
        "BLOCKCHAIN": "A blockchain read directly.",
    },
)
