"""Observability: metrics and structured logs (filled in by the reliability work, issue #4)."""

__all__: list[str] = []
