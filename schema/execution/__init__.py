"""Compiled execution plans: pure subtrees of an operation completed by generated code.

See `schema/execution/executor.py` for how a plan joins graphql-core's executor, `plans.py` for
what is compiled once per operation, `shapes.py` for what a plan completes itself, and
`codegen.py` for the code it runs.
"""

from schema.execution.executor import PLANS, PlannedExecutor

__all__ = ["PLANS", "PlannedExecutor"]
