"""FIFTH: a throw-away source that exists only in the tests, to prove that a source is one
package registering what it provides (`SourceDefinition`), served without editing any other
file: its sandbox, its client, its settings block, its loaders and its resolvers live here.

Its upstream is a tiny wallet service: `GET /v1/wallets/{address}/balances` answers a wallet's
balances, exact decimals as strings, or 404 for a wallet it does not know.
"""

from tests.registry.fifth_source.config import FifthConfig
from tests.registry.fifth_source.registration import FIFTH, FIFTH_SOURCE

__all__ = ["FIFTH", "FIFTH_SOURCE", "FifthConfig"]
