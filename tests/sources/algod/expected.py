"""Expected records computed from the sandbox ledger alone, independently of the client."""

from sources.algod import sandbox_data as data
from sources.algod.records import AssetHolding, AssetParams


def expected_params(asset_id: int) -> AssetParams | None:
    params = data.assets().get(asset_id)
    if params is None:
        return None
    return AssetParams(
        decimals=params.decimals,
        total=params.total,
        name=params.name,
        name_raw=params.name_raw or None,
        unit_name=params.unit_name,
    )


def expected_holdings(address: str) -> list[AssetHolding]:
    return [
        AssetHolding(h.asset_id, h.amount, h.is_frozen, expected_params(h.asset_id))
        for h in data.account_holdings(address)
    ]
