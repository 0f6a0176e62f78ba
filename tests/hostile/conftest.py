"""Hostile traffic: servers of `tests.harness`, shared with `tests/conftest.py`."""
