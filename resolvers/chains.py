"""CAIP-2 chain ids for the chain names custodial sources use (Calico `chain`, Mesh NFT
`blockchain`). A name not listed here gives no chain id rather than a guess."""

__all__ = ["caip2_of"]

_ETHEREUM = "eip155:1"

_CHAINS = {
    "eth": _ETHEREUM,
    "ethereum": _ETHEREUM,
    "polygon": "eip155:137",
    "matic": "eip155:137",
    "arbitrum": "eip155:42161",
    "optimism": "eip155:10",
    "base": "eip155:8453",
    "bsc": "eip155:56",
    "avalanche": "eip155:43114",
    "klaytn": "eip155:8217",
    "btc": "bip122:000000000019d6689c085ae165831e93",
    "bitcoin": "bip122:000000000019d6689c085ae165831e93",
    "sol": "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp",
    "solana": "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp",
    "algo": "algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73k",
    "algorand": "algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73k",
    "ada": "cip34:1-764824073",
    "cardano": "cip34:1-764824073",
}


def caip2_of(chain: str | None) -> str | None:
    """The CAIP-2 id of a chain name, or None when unknown."""
    if not chain:
        return None
    return _CHAINS.get(chain.strip().lower())
