"""Expected records computed from the sandbox ledger alone, independently of the client."""

from sources.algod import sandbox_data as data
from sources.algod.records import AssetHolding, AssetParams


def expected_params(asset_id: int) -> AssetParams | None:
    params = data.assets().get(asset_id)
    if params is None:
        return None
    return AssetParams(
        creator=params.creator,
        decimals=params.decimals,
        total=params.total,
        default_frozen=params.default_frozen,
        name=params.name,
        name_b64=params.name_b64,
        unit_name=params.unit_name,
        unit_name_b64=params.unit_name_b64,
        url=params.url,
    )


def expected_holdings(address: str) -> list[AssetHolding]:
    return [
        AssetHolding(h.asset_id, h.amount, h.is_frozen, expected_params(h.asset_id))
        for h in data.account_holdings(address)
    ]
