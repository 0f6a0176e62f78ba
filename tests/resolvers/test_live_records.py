"""What live subscriptions compute without I/O: the diff of two readings, exact, and a reading
written for Redis and read back unchanged (amounts digit for digit, failures as clients see
them)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

from resolvers.errors import ProviderFailed
from resolvers.live.codec import ReadingCodec
from resolvers.live.diff import diff_holdings, keep_unseen
from resolvers.live.records import Reading
from resolvers.portfolio import SourceProblem
from resolvers.records import (
    AccountRecord,
    AssetKind,
    AssetRecord,
    HoldingRecord,
    ProviderKind,
    ProviderRecord,
)
from schema.errors import describe
from schema.once import Once
from sources import Source
from sources.errors import UpstreamBadResponse, UpstreamRateLimited

ACCOUNT = AccountRecord(Source.ALGORAND, "SOMEADDRESS", "algorand:mainnet")
ALGORAND = ProviderRecord("algorand", "Algorand", ProviderKind.BLOCKCHAIN, (Source.ALGORAND,))


def _holding(asset_id: int, raw: int, decimals: int = 19) -> HoldingRecord:
    asset = AssetRecord(
        Source.ALGORAND, (str(asset_id),), AssetKind.FUNGIBLE, "MAXS", decimals=decimals
    )
    return HoldingRecord(
        ACCOUNT,
        asset,
        (str(asset_id),),
        Decimal(raw).scaleb(-decimals),
        raw_amount=raw,
        provider=ALGORAND,
        fetched_at=datetime(2026, 3, 6, 9, 1, 9, 783000, tzinfo=UTC),
        round=48_500_000,
    )


def test_only_a_change_of_worth_is_a_change_not_a_new_read_time_or_round() -> None:
    before = [_holding(1, 18446744073709551615), _holding(2, 5), _holding(3, 7)]
    reread = [
        dataclasses.replace(h, fetched_at=datetime.now(UTC), round=48_500_001) for h in before
    ]
    assert not diff_holdings(before, reread)
    after = [reread[0], dataclasses.replace(reread[1], amount=Decimal("6E-19"), raw_amount=6)]
    after.append(_holding(4, 1))
    change = diff_holdings(before, after)
    assert [h.key for h in change.added] == [("4",)]
    assert [h.key for h in change.removed] == [("3",)]
    assert [(c.previous.raw_amount, c.current.raw_amount) for c in change.changed] == [(5, 6)]


def test_a_reading_survives_redis_digit_for_digit_with_its_failures() -> None:
    problems = (
        SourceProblem(
            Source.ALGORAND,
            UpstreamRateLimited(Source.ALGORAND, "slow down", retry_after_seconds=7),
            ACCOUNT,
        ),
        SourceProblem(Source.CALICO, ProviderFailed(Source.CALICO, "binance", "unauthorized")),
    )
    reading = Reading(
        ACCOUNT,
        datetime(2026, 3, 6, 9, 1, 10, tzinfo=UTC),
        (_holding(2000000001, 18446744073709551615), _holding(31566704, 1234567890, 6)),
        problems,
        round=48_500_000,
        seq=12,
    )
    codec = ReadingCodec(describe)
    back = codec.loads(codec.dumps(reading))
    assert back is not None
    assert back.holdings == reading.holdings
    assert str(back.holdings[0].amount) == "1.8446744073709551615"
    assert (back.account, back.read_at, back.round, back.seq) == (
        reading.account,
        reading.read_at,
        48_500_000,
        12,
    )
    assert [describe(p.error) for p in back.problems] == [describe(p.error) for p in problems]
    assert [p.account for p in back.problems] == [ACCOUNT, None]
    # A source comes back as the source itself (one object per name), not its name.
    assert back.account.source is Source.ALGORAND
    assert back.holdings[0].account.source is Source.ALGORAND
    assert [p.source for p in back.problems] == [Source.ALGORAND, Source.CALICO]
    assert back.holdings[0].provider is not None
    assert back.holdings[0].provider.sources == (Source.ALGORAND,)
    assert back.holdings[0].provider.sources[0] is Source.ALGORAND


def _at(holding: HoldingRecord, slug: str) -> HoldingRecord:
    exchange = ProviderRecord(slug, slug.title(), ProviderKind.EXCHANGE, (Source.CALICO,))
    return dataclasses.replace(holding, provider=exchange)


def test_an_incomplete_reading_keeps_what_it_did_not_see_only_where_it_may_be_missing() -> None:
    before = [_at(_holding(1, 5), "binance"), _at(_holding(2, 6), "kraken"), _holding(3, 7)]
    partial = [before[2]]
    binance_down = [
        SourceProblem(Source.CALICO, ProviderFailed(Source.CALICO, "Binance", "unauthorized"))
    ]
    # Only binance's part is missing: kraken's holding that was not seen is gone.
    assert keep_unseen(before, partial, binance_down) == (before[2], before[0])
    # An item sent malformed could hide any holding: every unseen one stays as last read.
    malformed = [SourceProblem(Source.ALGORAND, UpstreamBadResponse(Source.ALGORAND, "x"), ACCOUNT)]
    assert keep_unseen(before, partial, [*binance_down, *malformed]) == (
        before[2],
        before[0],
        before[1],
    )
    assert not diff_holdings(before, keep_unseen(before, partial, malformed)).removed


def test_an_event_is_made_into_schema_objects_once_for_all_its_subscribers() -> None:
    made: list[Reading] = []

    def convert(reading: Reading) -> str:
        made.append(reading)
        return f"event {len(made)}"

    once = Once(convert, size=2)
    first = Reading(ACCOUNT, datetime(2026, 3, 6, tzinfo=UTC), ())
    equal_but_another = dataclasses.replace(first)
    assert [once(first) for _ in range(500)] == ["event 1"] * 500
    # Another record is another event, even if equal (another feed's, another user's).
    assert once(equal_but_another) == "event 2"
    assert once(Reading(ACCOUNT, datetime(2026, 3, 7, tzinfo=UTC), ())) == "event 3"
    assert once(first) == "event 4"  # forgotten past `size`: made again, never another's
    assert len(made) == 4
