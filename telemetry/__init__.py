"""Observability: metrics and structured logs."""

__all__: list[str] = []
