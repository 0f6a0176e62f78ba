"""Input echoed in a message is cut to a short slice, so no answer or log line repeats a megabyte.

A message that names the bad value (a field name, a variable's value, a header) helps the caller
fix it; all of it does not. `clip` keeps the beginning and the end of a long text (the end of a
message says what was expected) and says how much was left out.
"""

from __future__ import annotations

__all__ = ["MAX_ECHO", "MAX_MESSAGE", "clip", "clip_message"]

MAX_ECHO = 80
"""Most characters of one echoed input value."""
MAX_MESSAGE = 600
"""Most characters of a whole error message."""


def clip(text: str, limit: int = MAX_ECHO) -> str:
    """`text`, or its beginning and end around a note of how many characters were left out."""
    if len(text) <= limit:
        return text
    note = f"…({len(text)} characters, shortened)…"
    kept = max(0, limit - len(note))
    tail = kept // 4
    head = kept - tail
    return f"{text[:head]}{note}{text[len(text) - tail :]}"


def clip_message(message: str) -> str:
    """An error message bounded as a whole (GraphQL's own messages quote names and values)."""
    return clip(message, MAX_MESSAGE)
