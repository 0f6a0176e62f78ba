"""Tests of the algod package: client, loaders and sandbox, over real HTTP on loopback."""
