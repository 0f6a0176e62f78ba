"""The fifth source's name, as the schema's `Source` enum will show it."""

from sources import Source

__all__ = ["FIFTH"]

FIFTH = Source.define("FIFTH", upstream="Fifth")
