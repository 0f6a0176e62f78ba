"""Hypothesis strategies for random documents over the schema, with their variables and caller.

A document is drawn by walking the schema from `Query`: a few fields of each type (sometimes the
same field twice, to be merged), aliases, `__typename`, inline fragments (with and without a type
condition, on the type, on its interfaces, on an interface's or union's possible types), named
fragments, `@include`/`@skip` on literals and on Boolean variables, arguments written inline or
passed as variables. Argument values come from the sandboxes' accounts and from ids and cursors
the graph issued (`Pools`), with bad ones among them (a checksum that fails, a cursor that does
not verify, `first: 0`), so error paths are drawn too. Sometimes one sandbox misbehaves for the
case (a 503, a malformed body, a 401, a later page failing, an answer the real service sent, from
`tests/replay/samples`), and sometimes CardanoBI honours OData paging (so a list of more than
100 tokens is whole, and its later pages can fail).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
)
from hypothesis import strategies as st

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from sources.mesh import sandbox_data as mesh_data
from tests.differential.runner import Case

__all__ = ["Pools", "documents"]

_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("ALGORAND", algod_data.WHALE),
    ("ALGORAND", algod_data.SMALL),
    ("ALGORAND", algod_data.EMPTY),
    ("ALGORAND", "4BKTTRHZ2MBLTTYWY76S5GOCSQ6UYXHHAGSNVAKETKEO5ONLKJIZWR6IYM"),  # bad checksum
    ("CARDANO", cardano_data.COLLECTOR),  # more than 100 tokens: cut, HOLDINGS_INCOMPLETE
    ("CARDANO", cardano_data.SMALL),
    ("CARDANO", cardano_data.EMPTY),
    ("CARDANO", cardano_data.ODDITIES),  # CIP-68 labels, names known by bytes only (nameHex)
    ("CARDANO", "stake1nope"),
    ("CALICO", "alice"),
    ("CALICO", "bob"),
    ("CALICO", "dave"),  # the session expired: 603
    ("MESH", "alice"),
    ("MESH", "bob"),
    ("MESH", mesh_data.CAROL),  # a short position, negative returns, no aggregates
)
_CALLERS: tuple[tuple[str | None, str | None], ...] = (
    (None, None),
    ("alice", "sandbox-calico-alice"),
    ("alice", None),
    ("bob", "sandbox-calico-bob"),
    ("dave", "sandbox-calico-dave"),
    (mesh_data.CAROL, None),
)
_SAMPLES = Path(__file__).resolve().parents[1] / "replay" / "samples"
_ALGOD_ASSETS = "GET /v2/accounts/{address}/assets"
_CARDANOBI_ASSETS = "GET /api/core/accounts/{stake_address}/assets"


def _sample(name: str, **faults: Any) -> dict[str, Any]:
    """A real answer (`tests/replay/samples`) in place of the sandbox's own, as `faults`."""
    return {"body": (_SAMPLES / name).read_text(encoding="utf-8"), **faults}


_FAULTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("algod", {"status": 503}),
    ("algod", {"malformed": True}),
    ("algod", {"status": 500, "query": "next="}),  # a later page fails
    ("algod", {"status": 429}),
    ("algod", _sample("algod_accountAssetsInformation_sdk-testing.json", route=_ALGOD_ASSETS)),
    ("algod", _sample("algod_asset_usdc_mainnet_algobase.json", route="GET /v2/assets/{asset_id}")),
    ("cardanobi", {"status": 500}),
    ("cardanobi", {"status": 503, "query": "skip=99"}),  # a later page, with OData
    ("cardanobi", _sample("cardanobi_accounts_assets_docs_example.json", route=_CARDANOBI_ASSETS)),
    ("calico", {"status": 401}),
    ("calico", _sample("calico_assets_v2_refdoc_example.json", route="GET /accounts/v2/assets")),
    ("mesh", {"malformed": True}),
    ("mesh", _sample("mesh_portfolio_cex_example_spec.json")),
    ("mesh", _sample("mesh_portfolio_400_example_spec.json", status=400)),
)
_FIRSTS = (1, 2, 3, 5, 20, 100, 1, 2, 3, 0, 101)
_SYMBOLS = ("USDC", "ALGO", "MAXS", "ADA", "ETH", "x", "")
_MAX_DEPTH = 5
"""Field nesting of a drawn document (the server's MAX_QUERY_DEPTH is 15)."""
_MAX_FIELDS = 40
"""Fields of a drawn document, fragments included: beyond, selections hold `__typename` only."""


@dataclass(frozen=True)
class Pools:
    """Values the graph issued, for arguments: global ids and cursors."""

    ids: tuple[str, ...]
    cursors: tuple[str, ...]


@dataclass
class _Document:
    draw: Any
    schema: GraphQLSchema
    pools: Pools
    variables: dict[str, tuple[str, Any]] = field(default_factory=dict)
    fragments: list[str] = field(default_factory=list)
    names: int = 0
    budget: int = _MAX_FIELDS

    def chance(self, percent: int) -> bool:
        # Shrinking draws toward 0: toward leaving the option out.
        return bool(self.draw(st.integers(0, 99)) >= 100 - percent)

    def name(self, prefix: str) -> str:
        self.names += 1
        return f"{prefix}{self.names}"

    def variable(self, type_: str, value: Any) -> str:
        name = self.name("v")
        self.variables[name] = (type_, value)
        return f"${name}"

    # --- values -----------------------------------------------------------------------------

    def literal(self, value: Any) -> str:
        """`value` as GraphQL (enum values are passed as `_Enum` wrappers)."""
        if isinstance(value, _Enum):
            return value.name
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k}: {self.literal(v)}" for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self.literal(v) for v in value) + "]"
        if isinstance(value, bool):
            return "true" if value else "false"
        if value is None:
            return "null"
        return json.dumps(value)

    def argument(self, name: str, graphql_type: str, value: Any) -> str:
        """`name: value`, inline or through a variable of `graphql_type`."""
        if self.chance(25):
            return f"{name}: {self.variable(graphql_type, _plain(value))}"
        return f"{name}: {self.literal(value)}"

    def ref(self) -> dict[str, Any]:
        source, address = self.draw(st.sampled_from(_ACCOUNTS))
        return {"source": _Enum(source), "address": address}

    def holding_filter(self) -> dict[str, Any]:
        chosen: dict[str, Any] = {}
        if self.chance(40):
            chosen["symbols"] = self.draw(st.lists(st.sampled_from(_SYMBOLS), max_size=3))
        if self.chance(25):
            kinds = st.sampled_from(("FUNGIBLE", "NFT", "NATIVE", "EQUITY"))
            chosen["kinds"] = [_Enum(kind) for kind in self.draw(st.lists(kinds, max_size=2))]
        if self.chance(25):
            chosen["hideZero"] = self.draw(st.booleans())
        if self.chance(20):
            chosen["minValueUsd"] = self.draw(st.sampled_from(("1", "0.5", "100000", "1e999")))
        if self.chance(10):
            chosen["providers"] = self.draw(
                st.lists(st.sampled_from(("coinbase", "x")), max_size=2)
            )
        return chosen

    def arguments(self, parent: str, name: str, definition: GraphQLField) -> str | None:
        """The arguments of one field, or None when a required one cannot be drawn."""
        given: list[str] = []
        if parent == "Query" and name == "account":
            ref = self.ref()
            given.append(self.argument("source", "Source!", ref["source"]))
            given.append(self.argument("address", "String!", ref["address"]))
        for argument, spec in definition.args.items():
            if parent == "Query" and name == "account":
                break
            text = self._argument(argument, spec.type)
            if text is None:
                if isinstance(spec.type, GraphQLNonNull):
                    return None
                continue
            given.append(text)
        return f"({', '.join(given)})" if given else ""

    def _argument(self, argument: str, type_: Any) -> str | None:
        shown = str(type_)
        required = isinstance(type_, GraphQLNonNull)
        if not required and not self.chance(50):
            return None
        if argument == "first":
            return self.argument("first", shown, self.draw(st.sampled_from(_FIRSTS)))
        if argument == "after":
            if not self.chance(30):  # a cursor from elsewhere is refused: keep it rare
                return None
            pool = (*self.pools.cursors, "not-a-cursor")
            return self.argument("after", shown, self.draw(st.sampled_from(pool)))
        named = get_named_type(type_)
        if isinstance(named, GraphQLInputObjectType) and argument == "filter":
            drawn = {k: v for k, v in self.holding_filter().items() if k in named.fields}
            return self.argument("filter", shown, drawn)
        if argument in ("refs", "accounts"):
            refs = [self.ref() for _ in range(self.draw(st.integers(0 if not required else 1, 3)))]
            return self.argument(argument, shown, refs)
        if argument == "id":
            return self.argument("id", shown, self.draw(st.sampled_from((*self.pools.ids, "x"))))
        if argument == "ids":
            pool = (*self.pools.ids, "bad-id")
            return self.argument(
                "ids", shown, self.draw(st.lists(st.sampled_from(pool), max_size=4))
            )
        if argument == "representations":
            reps = [
                {"__typename": "Account", "source": ref["source"].name, "address": ref["address"]}
                for ref in (self.ref() for _ in range(self.draw(st.integers(1, 3))))
            ]
            if self.chance(20):
                reps.append({"__typename": "Nope", "id": "x"})
            return f"{argument}: {self.variable(shown, reps)}"
        if isinstance(named, GraphQLEnumType):
            value = self.draw(st.sampled_from(sorted(named.values)))
            return self.argument(argument, shown, _Enum(value))
        if str(named) == "Boolean":
            return self.argument(argument, shown, self.draw(st.booleans()))
        return None

    # --- selections -------------------------------------------------------------------------

    def directive(self) -> str:
        if not self.chance(15):
            return ""
        which = self.draw(st.sampled_from(("include", "skip")))
        condition = (
            self.variable("Boolean!", self.draw(st.booleans()))
            if self.chance(70)
            else self.literal(self.draw(st.booleans()))
        )
        return f" @{which}(if: {condition})"

    def selection_set(self, type_: GraphQLNamedType, depth: int) -> str:
        items: list[str] = []
        if self.budget <= 0:
            return f"{{ __typename{self.directive()} }}"
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            fields = sorted(type_.fields)
            if depth >= _MAX_DEPTH:  # only leaves from here on
                fields = [n for n in fields if is_leaf_type(get_named_type(type_.fields[n].type))]
            else:  # objects and lists (connections) drawn three times as often as leaves
                fields += 2 * [
                    n for n in fields if not is_leaf_type(get_named_type(type_.fields[n].type))
                ]
            names = self.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=4))
            items += self.fields(type_, names, depth)
        possible: list[GraphQLObjectType] = []
        if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
            possible = list(self.schema.get_possible_types(type_))
            for option in possible:
                if self.chance(45) and depth < _MAX_DEPTH:
                    items.append(self.fragment(option, depth, inline=self.chance(60)))
        if isinstance(type_, GraphQLObjectType):
            for interface in type_.interfaces:
                if self.chance(15):
                    items.append(self.fragment(interface, depth, inline=True))
            if self.chance(15):
                items.append(self.fragment(type_, depth, inline=self.chance(50)))
        if self.chance(20) or not items:
            items.append(f"{self._alias()}__typename{self.directive()}")
        if self.chance(10):  # an inline fragment without a type condition
            items.append(f"...{self.directive()} {{ __typename }}")
        return "{ " + " ".join(items) + " }"

    def fragment(self, type_: GraphQLNamedType, depth: int, *, inline: bool) -> str:
        body = self.selection_set(type_, depth)
        if inline:
            return f"... on {type_.name}{self.directive()} {body}"
        name = self.name("F")
        self.fragments.append(f"fragment {name} on {type_.name} {body}")
        return f"...{name}{self.directive()}"

    def _alias(self) -> str:
        return f"{self.name('a')}: " if self.chance(20) else ""

    def field(
        self,
        parent: GraphQLObjectType | GraphQLInterfaceType,
        name: str,
        depth: int,
        head: str | None = None,
    ) -> tuple[str, str] | None:
        """(head, text) of one field: `alias: name(arguments)`, then directives and selections;
        given a `head`, the same field again (to be merged with the first)."""
        definition = parent.fields[name]
        self.budget -= 1
        if head is None:
            arguments = self.arguments(parent.name, name, definition)
            if arguments is None:
                return None
            head = f"{self._alias()}{name}{arguments}"
        text = head + self.directive()
        named = get_named_type(definition.type)
        if not is_leaf_type(named):
            text += " " + self.selection_set(named, depth + 1)
        return head, text

    def fields(
        self, parent: GraphQLObjectType | GraphQLInterfaceType, names: list[str], depth: int
    ) -> list[str]:
        """The texts of fields `names` (a key drawn twice with other arguments is aliased)."""
        items: list[str] = []
        heads: dict[str, str] = {}
        for name in names:
            drawn = self.field(parent, name, depth)
            if drawn is None:
                continue
            head, text = drawn
            if heads.get(_key(head), head) != head:
                # The same key with other arguments would not validate: alias it.
                alias = self.name("a")
                head, text = f"{alias}: {head}", f"{alias}: {text}"
            heads[_key(head)] = head
            items.append(text)
            if self.chance(10):  # the same field again: graphql-core merges the two
                again = self.field(parent, name, depth, head=head)
                if again is not None:
                    items.append(again[1])
        return items

    def document(self) -> str:
        root = self.schema.query_type
        assert root is not None
        roots = ["account", "account", "account", "accounts", "node", "nodes", "viewer"]
        roots += ["providers", "portfolio", "_entities"]
        names = self.draw(st.lists(st.sampled_from(roots), min_size=1, max_size=3))
        items = self.fields(root, names, 1)
        if not items:
            items.append("__typename")
        declared = ", ".join(f"${name}: {type_}" for name, (type_, _) in self.variables.items())
        head = f"query Drawn({declared})" if declared else "query Drawn"
        return "\n".join([f"{head} {{ {' '.join(items)} }}", *self.fragments])


def _key(field: str) -> str:
    """The response key of a field's text (its alias, else its name)."""
    match = re.match(r"\w+", field)  # `alias: name(...)` or `name(...)`: the first word
    assert match is not None
    return match.group(0)


@dataclass(frozen=True)
class _Enum:
    name: str


def _plain(value: Any) -> Any:
    """`value` as JSON for a variable (enum wrappers become their names)."""
    if isinstance(value, _Enum):
        return value.name
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@st.composite
def documents(draw: Any, schema: GraphQLSchema, pools: Pools) -> Case:
    """One drawn request: document, variables, caller and (sometimes) a misbehaving sandbox."""
    builder = _Document(draw, schema, pools)
    query = builder.document()
    user, calico = draw(st.sampled_from(_CALLERS))
    faults = (draw(st.sampled_from(_FAULTS)),) if draw(st.integers(0, 99)) >= 80 else ()
    settings = (("cardanobi", {"odata": True}),) if draw(st.integers(0, 99)) >= 80 else ()
    variables = {name: value for name, (_, value) in builder.variables.items()}
    return Case(
        query, variables or None, user=user, calico=calico, faults=faults, settings=settings
    )
