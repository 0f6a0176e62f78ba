"""Runs one GraphQL request through both executors against the same sandboxes and compares.

The app's own schema executes each case in process, with one `Services` (clients, sessions, the
sandboxes over loopback) and two views of it: compiled plans on, and `COMPILED_EXECUTION=false`
(graphql-core's executor alone). A case runs four times:

Each run meets the case's sandbox conditions afresh (the settings and faults a test had set when
it sent the request, or a drawn fault), so a fault limited to a `count` of requests plays alike
for both executors; a case with faults runs once more before the four, uncompared, so the
services' own state (a token dropped after a 401) is the same for the two cold runs.

1. on graphql-core alone, with fresh loaders (cold), counting the upstream requests it made;
2. on the plan, with fresh loaders (cold), counting again: the counts must be equal (batching
   and caching unchanged) and so must the responses, but for the instants the graph stamps on
   what it read (`fetchedAt`, `asOf`: when the graph received the upstream's answer) and, when
   the sandboxes had faults, the order of the errors (concurrent reads that fail after their
   retries fail in an order of the retries' timing, not of the executor);
3. on the plan and 4. on graphql-core, both with the loaders of run 1 (warm, so they read the
   very same records and stamps): the two responses must be the same bytes. (When an error
   nulled the parent of fields still waiting on those loaders in run 1, graphql-core cancelled
   the fields' waits, never the loaders' answers: `sources/loader.py`.)

Responses are encoded as the HTTP view encodes them (`data` left out when execution never
began). The request's `personal` and `read_only` marks, which decide `Cache-Control`, must
agree too.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from strawberry.http import process_result
from strawberry.types import ExecutionResult

from resolvers.context import Loaders, RequestContext, Services
from resolvers.identity import issue_token
from schema import schema
from sources.cardanobi.sandbox import TOKEN_PATH
from tests.harness import JWT_SECRET, Sandboxes
from web.encoding import encode_json

__all__ = ["Case", "Differential", "Outcome"]

_INSTANT = re.compile(rb'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"')
_EXECUTIONS = "holdings_graphql_executions_total"


@dataclass(frozen=True)
class Case:
    """One request: its document, variables and caller, and faults the sandboxes inject."""

    query: str
    variables: Mapping[str, Any] | None = None
    operation_name: str | None = None
    user: str | None = None
    """A bearer token is issued for this user when the case runs."""
    authorization: str | None = None
    """Or this Authorization header, as a test sent it (a token that must be refused)."""
    calico: str | None = None
    """The X-Calico-Token header."""
    faults: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    """(sandbox name, faults) set before each of the case's runs and cleared after."""
    settings: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    """(sandbox name, settings) changed for the case's runs and restored after."""

    def headers(self) -> tuple[str | None, str | None]:
        if self.user is not None:
            return f"Bearer {issue_token(JWT_SECRET, self.user)}", self.calico
        return self.authorization, self.calico

    def to_json(self) -> dict[str, Any]:
        return {
            key: value for key, value in dataclasses.asdict(self).items() if value not in (None, ())
        }

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> Case:
        faults = tuple((name, dict(value)) for name, value in entry.get("faults", ()))
        settings = tuple((name, dict(value)) for name, value in entry.get("settings", ()))
        return cls(**{**entry, "faults": faults, "settings": settings})

    def label(self) -> str:
        who = self.user or ("token" if self.authorization else "anonymous")
        text = f"{' '.join(self.query.split())[:160]} {json.dumps(self.variables)[:80]} as {who}"
        if self.faults or self.settings:
            met = json.dumps([*self.settings, *self.faults], default=str)
            text += f" with {met[:160]}"
        return text


@dataclass
class Run:
    body: bytes
    personal: bool
    read_only: bool
    executor: str


@dataclass
class Outcome:
    """What the four runs of one case showed; `problems` is empty when both executors agree."""

    case: Case
    executor: str = ""
    upstream_requests: int = 0
    problems: list[str] = field(default_factory=list)
    response: Any = None
    """The response (parsed) of the plan's cold run."""


def _encoded(result: ExecutionResult) -> bytes:
    """The response body as `web/view.py` encodes it."""
    errors = result.errors or []
    body = process_result(result)
    if result.data is None and all(error.path is None for error in errors):
        body.pop("data", None)
    return encode_json(body)


def _without_instants(body: bytes) -> bytes:
    return _INSTANT.sub(b'"<instant>"', body)


def _errors_in_any_order(body: bytes) -> bytes:
    response = json.loads(body)
    errors = response.get("errors")
    if isinstance(errors, list):
        response["errors"] = sorted(errors, key=lambda e: json.dumps(e, sort_keys=True))
    return json.dumps(response, sort_keys=True).encode()


class Differential:
    """Both executors over one app's services and the session's sandboxes."""

    def __init__(self, services: Services, sandboxes: Sandboxes) -> None:
        self._plan = services
        self._standard = dataclasses.replace(
            services, options=dataclasses.replace(services.options, compiled_execution=False)
        )
        assert services.options.compiled_execution, "the plan side must have plans on"
        self._sandboxes = sandboxes

    def with_options(self, **overrides: Any) -> Differential:
        """Both executors over the same services, with some of the graph's options changed
        (e.g. a tighter limit)."""
        options = dataclasses.replace(self._plan.options, **overrides)
        return Differential(dataclasses.replace(self._plan, options=options), self._sandboxes)

    async def _upstream_total(self) -> int:
        """Data requests the sandboxes served (not CardanoBI's token: the app keeps that one)."""
        stats = await asyncio.gather(*(handle.stats() for handle in self._sandboxes.all()))
        return sum(
            count
            for served in stats
            for route, outcomes in served["routes"].items()
            if not route.endswith(TOKEN_PATH)
            for count in outcomes.values()
        )

    async def _settled_total(self, body: bytes) -> int:
        """The data requests served once the run's work has settled.

        A run whose response has errors may have cancelled reads that a single flight finishes
        in the background (`sources/http.py`): wait until the count holds still.
        """
        total = await self._upstream_total()
        if b'"errors"' not in body:
            return total
        still = 0
        for _ in range(100):
            await asyncio.sleep(0.03)
            again = await self._upstream_total()
            still = still + 1 if again == total else 0
            total = again
            if still >= 3:
                break
        return total

    def _executions(self) -> dict[tuple[str, str], float]:
        counts: dict[tuple[str, str], float] = {}
        for family in self._plan.metrics.registry.collect():
            for sample in family.samples:
                if sample.name == _EXECUTIONS:
                    key = (sample.labels["executor"], sample.labels["reason"])
                    counts[key] = sample.value
        return counts

    async def _run(
        self, services: Services, case: Case, loaders: Loaders | None
    ) -> tuple[Run, Loaders]:
        # In a task of its own, as a server runs each request: the request's deadline is set in
        # the task's copy of the context, never in the caller's (a session fixture's context
        # reaches every later test, whose clients would meet that deadline long passed).
        return await asyncio.create_task(self._execute(services, case, loaders))

    async def _execute(
        self, services: Services, case: Case, loaders: Loaders | None
    ) -> tuple[Run, Loaders]:
        authorization, calico = case.headers()
        context = RequestContext.create(services, services.verifier.caller(authorization, calico))
        if loaders is not None:
            context.loaders = loaders
        before = self._executions()
        result = await schema.execute(
            case.query,
            variable_values=dict(case.variables) if case.variables is not None else None,
            context_value=context,
            operation_name=case.operation_name,
        )
        after = self._executions()
        ran = [f"{e}:{r}" for e, r in after if after[(e, r)] != before.get((e, r), 0.0)]
        run = Run(_encoded(result), context.personal, context.read_only, ",".join(ran))
        return run, context.loaders

    async def answer(self, case: Case) -> Any:
        """The response (parsed) of `case` on the plan."""
        run, _ = await self._run(self._plan, case, None)
        return json.loads(run.body)

    async def _arrange(self, case: Case) -> None:
        """The case's sandbox settings and faults, afresh (a fault's `count` starts again)."""
        for name, settings in case.settings:
            await getattr(self._sandboxes, name).settings(**settings)
        for name, faults in case.faults:
            await getattr(self._sandboxes, name).faults(**faults)

    async def check(self, case: Case) -> Outcome:
        outcome = Outcome(case)
        try:
            if case.faults:
                # Once first, not compared: what the faults change in the shared services (a
                # CardanoBI token dropped after a 401) is then what both compared runs meet.
                await self._arrange(case)
                first, _ = await self._run(self._standard, case, None)
                await self._settled_total(first.body)
            await self._arrange(case)
            before = await self._upstream_total()
            standard, warm = await self._run(self._standard, case, None)
            between = await self._settled_total(standard.body)
            await self._arrange(case)
            plan, _ = await self._run(self._plan, case, None)
            after = await self._settled_total(plan.body)
            await self._arrange(case)
            plan_warm, _ = await self._run(self._plan, case, warm)
            await self._arrange(case)
            standard_warm, _ = await self._run(self._standard, case, warm)
        finally:
            if case.faults or case.settings:
                await self._sandboxes.reset()
        outcome.executor = plan.executor
        outcome.response = json.loads(plan.body)
        outcome.upstream_requests = between - before
        problems = outcome.problems
        # A request refused before execution (parse, validation, variables) runs on neither.
        if standard.executor not in ("", "standard:disabled") or (
            standard.executor == "" and plan.executor != ""
        ):
            problems.append(f"executors: {standard.executor!r} and {plan.executor!r}")
        if (after - between) != (between - before):
            problems.append(
                f"upstream requests: {between - before} on graphql-core, {after - between} on "
                "the plan"
            )
        cold_plan, cold_standard = _without_instants(plan.body), _without_instants(standard.body)
        if case.faults:
            cold_plan, cold_standard = (
                _errors_in_any_order(cold_plan),
                _errors_in_any_order(cold_standard),
            )
        if cold_plan != cold_standard:
            problems.append(_difference("cold", cold_standard, cold_plan))
        if plan_warm.body != standard_warm.body:
            problems.append(_difference("warm", standard_warm.body, plan_warm.body))
        for run in (plan, plan_warm, standard_warm):
            if (run.personal, run.read_only) != (standard.personal, standard.read_only):
                problems.append(
                    f"personal/read_only {(run.personal, run.read_only)} against "
                    f"{(standard.personal, standard.read_only)}"
                )
        return outcome


def _difference(which: str, expected: bytes, got: bytes) -> str:
    at = next(
        (i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b),
        min(len(expected), len(got)),
    )
    start = max(0, at - 120)
    return (
        f"{which} responses differ at byte {at}:\n  graphql-core: {expected[start : at + 120]!r}"
        f"\n  plan:         {got[start : at + 120]!r}"
    )
