"""Hostile traffic (issue #12): servers of `tests.harness`, shared with `tests/conftest.py`."""
