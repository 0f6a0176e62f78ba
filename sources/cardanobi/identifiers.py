"""Cardano identifiers: bech32, stake addresses (CIP-19), asset fingerprints (CIP-14), and the
CIP-34 chain ids used as CAIP-2 (UPSTREAMS.md §2.7)."""

import hashlib

__all__ = [
    "CARDANO_NETWORKS",
    "Bech32Error",
    "CardanoNetwork",
    "StakeAddressError",
    "bech32_decode",
    "bech32_encode",
    "check_stake_address",
    "fingerprint",
    "stake_address",
]

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


class CardanoNetwork:
    """A Cardano network: its stake-address prefix, network id and CIP-34 chain id."""

    def __init__(self, name: str, hrp: str, network_id: int, chain_id: str) -> None:
        self.name = name
        self.hrp = hrp
        self.network_id = network_id
        self.chain_id = chain_id


CARDANO_NETWORKS = {
    "mainnet": CardanoNetwork("mainnet", "stake", 1, "cip34:1-764824073"),
    "preprod": CardanoNetwork("preprod", "stake_test", 0, "cip34:0-1"),
    "preview": CardanoNetwork("preview", "stake_test", 0, "cip34:0-2"),
}


class Bech32Error(ValueError):
    """Not valid bech32; the message says why."""


class StakeAddressError(ValueError):
    """Not a stake address of the expected network; the message says why."""


def _polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = ((checksum & 0x1FFFFFF) << 5) ^ value
        for i, generator in enumerate(_GENERATOR):
            if (top >> i) & 1:
                checksum ^= generator
    return checksum


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data: bytes | list[int], from_bits: int, to_bits: int, pad: bool) -> list[int]:
    accumulator = 0
    bits = 0
    out: list[int] = []
    mask = (1 << to_bits) - 1
    for value in data:
        accumulator = (accumulator << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((accumulator >> bits) & mask)
    if pad:
        if bits:
            out.append((accumulator << (to_bits - bits)) & mask)
    elif bits >= from_bits or (accumulator << (to_bits - bits)) & mask:
        raise Bech32Error("the data part has leftover bits")
    return out


def bech32_encode(hrp: str, payload: bytes) -> str:
    """Classic bech32 (not bech32m), with no length limit, as Cardano uses it."""
    data = _convert_bits(payload, 8, 5, pad=True)
    polymod = _polymod([*_hrp_expand(hrp), *data, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[d] for d in data + checksum)


def bech32_decode(text: str) -> tuple[str, bytes]:
    """(human-readable part, payload bytes) of a bech32 string."""
    if text.lower() != text and text.upper() != text:
        raise Bech32Error("bech32 must not mix upper and lower case")
    text = text.lower()
    separator = text.rfind("1")
    if separator < 1 or separator + 7 > len(text):
        raise Bech32Error("there is no bech32 separator '1' followed by a checksum")
    hrp, rest = text[:separator], text[separator + 1 :]
    if any(c not in _CHARSET for c in rest):
        raise Bech32Error("the data part has characters outside the bech32 alphabet")
    data = [_CHARSET.index(c) for c in rest]
    if _polymod([*_hrp_expand(hrp), *data]) != 1:
        raise Bech32Error("the bech32 checksum does not match")
    return hrp, bytes(_convert_bits(data[:-6], 5, 8, pad=False))


def check_stake_address(address: str, network: CardanoNetwork) -> str:
    """`address` if it is a valid stake (reward) address on `network`."""
    try:
        hrp, payload = bech32_decode(address)
    except Bech32Error as exc:
        raise StakeAddressError(str(exc)) from exc
    if hrp != network.hrp:
        raise StakeAddressError(
            f"a {network.name} stake address starts with '{network.hrp}1', not '{hrp}1'"
        )
    if len(payload) != 29:
        raise StakeAddressError(f"a stake address carries 29 bytes, not {len(payload)}")
    header = payload[0]
    if header >> 4 not in (0b1110, 0b1111):
        raise StakeAddressError("the header byte is not that of a stake address")
    if header & 0x0F != network.network_id:
        raise StakeAddressError(
            f"the address is for network id {header & 0x0F}, "
            f"not {network.name} ({network.network_id})"
        )
    return address.lower()


def stake_address(credential: bytes, network: CardanoNetwork, *, script: bool = False) -> str:
    """The stake address of a 28-byte credential hash."""
    if len(credential) != 28:
        raise ValueError("a stake credential hash has 28 bytes")
    header = (0xF0 if script else 0xE0) | network.network_id
    return bech32_encode(network.hrp, bytes([header]) + credential)


def fingerprint(policy_id: bytes, asset_name: bytes) -> str:
    """CIP-14: bech32('asset', blake2b-160(policy id || asset name))."""
    digest = hashlib.blake2b(policy_id + asset_name, digest_size=20).digest()
    return bech32_encode("asset", digest)
