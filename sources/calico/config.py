"""Calico's settings block: the Platform API's URL and its page size (users bring their own
tokens, so the server holds no Calico credential)."""

from __future__ import annotations

from pydantic import Field

from sources.config import SourceConfig, flat_names

__all__ = ["CalicoConfig"]


class CalicoConfig(SourceConfig, alias_generator=flat_names("calico")):
    """`CALICO_*`."""

    key = "calico"

    page_size: int = Field(100, ge=1, le=100)
    """Assets per page asked of `GET /accounts/v2/assets` (Calico's largest is 100)."""
