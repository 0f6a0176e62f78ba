"""The sandbox node's credential, apart from the sandbox itself: the settings check it (a
sandbox credential must never go to a real host) without loading the server side of aiohttp."""

__all__ = ["SANDBOX_ALGOD_TOKEN"]

SANDBOX_ALGOD_TOKEN = "a" * 64
"""The sandbox node's API token (algod's are 64 characters)."""
