"""`Asset`: what is held, with its chain identity where it lives on a known chain."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.nodes import resolve_node
from resolvers.records import AssetRecord
from schema.enums import AssetKind
from schema.node import Node
from schema.scalars import BigInt
from schema.served import served_as
from schema.soft import Info

__all__ = ["Asset"]


@strawberry.federation.type(keys=["id"], description="An asset: a coin, token, NFT or equity.")
class Asset(Node):
    id: strawberry.ID = strawberry.field(description="Global id of this asset.")
    kind: AssetKind = strawberry.field(
        description="What sort of asset this is (a Cardano token's from its CIP-68 label, "
        "when it has one)."
    )
    symbol: str | None = strawberry.field(
        description="Ticker or unit name (ASA unit-name, exchange symbol), when known."
    )
    name: str | None = strawberry.field(
        description="Display name, when known and printable (for Cardano tokens only when the "
        "name bytes verify against the fingerprint; for CIP-68 tokens, the bytes after the "
        "label)."
    )
    name_hex: str | None = strawberry.field(
        description="The name's bytes in hex, when the source gives them: Algorand's "
        "`name-b64`, a Cardano asset name whose bytes verify against the fingerprint (CIP-68 "
        "label included). A name that is not printable text is only here, beside a null "
        "`name`."
    )
    decimals: int | None = strawberry.field(
        description="Digits after the decimal point between base units and whole units, "
        "when the source says."
    )
    chain_id: str | None = strawberry.field(
        description="CAIP-2 id of the chain the asset lives on, when known."
    )
    caip19: str | None = strawberry.field(
        description="CAIP-19 asset id when the asset lives on a known chain, e.g. "
        "algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73k/asa:31566704."
    )
    asset_id: BigInt | None = strawberry.field(description="Algorand ASA id.")
    policy_id: str | None = strawberry.field(
        description="Cardano policy id (hex) and CIP-14 fingerprint."
    )
    fingerprint: str | None = strawberry.field(description="Cardano CIP-14 asset fingerprint.")

    @classmethod
    def of(cls, record: AssetRecord) -> Asset:
        """The record as this type: served as it is, no copy (its attributes are the fields)."""
        return cast("Asset", record)

    is_type_of = served_as(AssetRecord)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Asset | None:
        record = await resolve_node(info.context, id)
        return cls.of(record) if isinstance(record, AssetRecord) else None
