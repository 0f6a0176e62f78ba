"""One query over all four sources, and the ways an upstream can fail, shared by the tests of
partial results and of credential leaks."""

from __future__ import annotations

import random
import string
from typing import Any

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data

__all__ = ["FAILED_FIELDS", "FAULTS", "QUERY", "SANDBOX", "TIMEOUT", "VARIABLES"]

TIMEOUT = 1.0
"""Every upstream's timeout in the servers of these tests; a slow body takes four times as long."""

QUERY = """
query($algo: String!, $ada: String!) {
  algo: account(source: ALGORAND, address: $algo) {
    holdings(first: 10) { edges { node { rawAmount asset { assetId } } } }
  }
  ada: account(source: CARDANO, address: $ada) {
    holdings(first: 10) { edges { node { rawAmount asset { fingerprint } } } }
  }
  viewer {
    userId
    accounts {
      source
      holdings(first: 50) { edges { node { amount asset { symbol } provider { slug } } } }
      positions(first: 10) { edges { node { symbol amount } } }
    }
  }
}
"""
VARIABLES = {"algo": algod_data.SMALL, "ada": cardano_data.SMALL}

_RNG = random.Random(20260421)
RANDOM_BODY = "~" + "".join(_RNG.choice(string.printable) for _ in range(300))
"""Bytes no upstream would send: not JSON (a JSON text cannot start with '~')."""

FAULTS: dict[str, tuple[dict[str, Any], str]] = {
    "500": ({"status": 500}, "UPSTREAM_UNAVAILABLE"),
    "502": ({"status": 502}, "UPSTREAM_UNAVAILABLE"),
    "503": ({"status": 503}, "UPSTREAM_UNAVAILABLE"),
    "504": ({"status": 504}, "UPSTREAM_UNAVAILABLE"),
    "429": ({"status": 429}, "UPSTREAM_RATE_LIMITED"),
    "402": ({"status": 402}, "UPSTREAM_QUOTA_EXCEEDED"),
    "401": ({"status": 401}, "UPSTREAM_UNAUTHORIZED"),
    "malformed": ({"malformed": True}, "UPSTREAM_BAD_RESPONSE"),
    "drop": ({"drop": True}, "UPSTREAM_UNAVAILABLE"),
    "slow body": ({"slow_body_ms": int(TIMEOUT * 4000)}, "UPSTREAM_TIMEOUT"),
    "random body": ({"body": RANDOM_BODY, "content_type": "text/plain"}, "UPSTREAM_BAD_RESPONSE"),
}

FAILED_FIELDS: dict[str, list[list[str | int]]] = {
    "ALGORAND": [["algo", "holdings"]],
    "CARDANO": [["ada", "holdings"]],
    "CALICO": [["viewer", "accounts", 0, "holdings"]],
    "MESH": [["viewer", "accounts", 1, "holdings"], ["viewer", "accounts", 1, "positions"]],
}
SANDBOX = {"ALGORAND": "algod", "CARDANO": "cardanobi", "CALICO": "calico", "MESH": "mesh"}
