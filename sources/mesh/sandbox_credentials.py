"""The sandbox's client id and secret, apart from the sandbox itself: the settings check them
(a sandbox credential must never go to a real host) without loading the server side of aiohttp."""

__all__ = ["SANDBOX_CLIENT_ID", "SANDBOX_CLIENT_SECRET"]

SANDBOX_CLIENT_ID = "sandbox-mesh-client"
SANDBOX_CLIENT_SECRET = "sandbox-mesh-secret"
