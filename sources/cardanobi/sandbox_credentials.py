"""The sandbox's API key and secret and its identity server's token path, apart from the
sandbox itself: the settings check them (a sandbox credential must never go to a real host)
without loading the server side of aiohttp."""

__all__ = ["SANDBOX_API_KEY", "SANDBOX_API_SECRET", "TOKEN_PATH"]

SANDBOX_API_KEY = "sandbox-cardanobi-key"
SANDBOX_API_SECRET = "sandbox-cardanobi-secret"
TOKEN_PATH = "/connect/token"
"""Where the sandbox's identity server hands out tokens (OAuth2 client credentials)."""
