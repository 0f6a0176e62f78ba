"""What a Cardano token is called, from what CardanoBI says of it: its name bytes (when they can
be trusted), its display name, and its kind from a CIP-68 label.

CardanoBI sends a token's name decoded as UTF-8 with replacement (.NET's `Encoding.Default`), so
binary names arrive lossy. Bytes are trusted only when the CIP-14 fingerprint recomputed from the
policy id and them is the fingerprint CardanoBI reported. Two candidates are tried: the text as
UTF-8, and, for a name that starts the way a CIP-68 label decodes (the labels' own bytes are not
UTF-8, but the rest of the name usually is), that label followed by the rest as UTF-8.

CIP-68 (CIP-67 labels, the first 4 bytes of the name): `000643b0` (100) reference NFT,
`000de140` (222) NFT, `0014df10` (333) fungible token, `001bc280` (444) rich fungible token. A
labelled token is named by the bytes after its label and gets its kind from the label, even when
those bytes cannot be recovered (a label's lossy form is unmistakable: it starts with NUL and a
control character). Any other token is FUNGIBLE: CardanoBI does not say which are NFTs.
"""

from __future__ import annotations

from dataclasses import dataclass

from resolvers.records import AssetKind
from sources.cardanobi.identifiers import fingerprint as cip14_fingerprint

__all__ = ["CIP68_LABELS", "TokenName", "token_name"]

CIP68_LABELS: dict[bytes, AssetKind] = {
    bytes.fromhex("000643b0"): AssetKind.NFT,  # 100: the reference NFT holding the datum
    bytes.fromhex("000de140"): AssetKind.NFT,  # 222: NFT
    bytes.fromhex("0014df10"): AssetKind.FUNGIBLE,  # 333: fungible token
    bytes.fromhex("001bc280"): AssetKind.FUNGIBLE,  # 444: rich fungible token
}
_LOSSY_LABELS = {label.decode("utf-8", errors="replace"): label for label in CIP68_LABELS}


@dataclass(frozen=True, slots=True)
class TokenName:
    """A token's name as the graph shows it."""

    raw: bytes | None
    """The asset name's bytes, when they verify against the fingerprint (else unknown)."""
    display: str | None
    """Printable text of the name (after its CIP-68 label), when there is one."""
    kind: AssetKind


def token_name(policy_hex: str, name: str, fingerprint: str) -> TokenName:
    """What `name` (as CardanoBI sent it) tells of the token `fingerprint` under `policy_hex`."""
    label = next((raw for lossy, raw in _LOSSY_LABELS.items() if name.startswith(lossy)), None)
    candidates = [name.encode("utf-8")]
    if label is not None:
        lossy = label.decode("utf-8", errors="replace")
        candidates.append(label + name[len(lossy) :].encode("utf-8"))
    raw = _verified(policy_hex, candidates, fingerprint)
    if raw is not None:  # known bytes say for themselves whether they carry a label
        label = raw[:4] if raw[:4] in CIP68_LABELS else None
    kind = CIP68_LABELS[label] if label is not None else AssetKind.FUNGIBLE
    shown = raw[4:] if raw is not None and label is not None else raw
    return TokenName(raw, _printable(shown), kind)


def _verified(policy_hex: str, candidates: list[bytes], fingerprint: str) -> bytes | None:
    try:
        policy = bytes.fromhex(policy_hex)
    except ValueError:
        return None
    return next((raw for raw in candidates if cip14_fingerprint(policy, raw) == fingerprint), None)


def _printable(raw: bytes | None) -> str | None:
    if not raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.isprintable() else None
