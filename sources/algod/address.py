"""Algorand addresses and chain ids (UPSTREAMS.md §1.6).

An address is base32(pk32 || last 4 bytes of SHA-512/256(pk32)), unpadded: 58 characters.
"""

import base64
import hashlib
import re

__all__ = [
    "ALGORAND_CHAINS",
    "AddressError",
    "check_address",
    "encode_address",
]

_ADDRESS = re.compile(r"[A-Z2-7]{57}[AEIMQUY4]")

#: CAIP-2 chain id per network: `algorand:` + the first 32 URL-safe base64 chars of the
#: genesis hash.
ALGORAND_CHAINS = {
    "mainnet": "algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73k",
    "testnet": "algorand:SGO1GKSzyE7IEPItTxCByw9x8FmnrCDe",
    "betanet": "algorand:mFgazF-2uRS1tMiL9dsj01hJGySEmPN2",
}


class AddressError(ValueError):
    """Not an Algorand address; the message says why."""


def _checksum(public_key: bytes) -> bytes:
    return hashlib.new("sha512_256", public_key).digest()[-4:]


def encode_address(public_key: bytes) -> str:
    """The address of a 32-byte public key."""
    if len(public_key) != 32:
        raise ValueError("an Algorand public key has 32 bytes")
    raw = public_key + _checksum(public_key)
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def check_address(address: str) -> str:
    """`address` if it is a well-formed Algorand address with a valid checksum."""
    if len(address) != 58:
        raise AddressError(f"an Algorand address has 58 characters, not {len(address)}")
    if not _ADDRESS.fullmatch(address):
        raise AddressError("an Algorand address is upper-case base32 (A-Z, 2-7)")
    raw = base64.b32decode(address + "======")
    if _checksum(raw[:32]) != raw[32:]:
        raise AddressError("the address checksum does not match")
    return address
