"""Benchmarks of the holdings graph: scenarios, a bounded load generator, and their runner.

Not tests: nothing here asserts a wall-clock figure. `python -m bench.run` measures and writes
`bench/RESULTS.md`; see docs/performance.md.
"""

__all__: list[str] = []
