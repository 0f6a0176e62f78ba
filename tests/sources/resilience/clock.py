"""A clock the test moves by hand, and a sleep that moves it: exact timing without waiting."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ManualClock"]


@dataclass
class ManualClock:
    """`now` only changes when the test (or `sleep`) says so; `sleeps` records each wait."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
