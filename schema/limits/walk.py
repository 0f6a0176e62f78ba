"""One pass over an operation, fragments expanded, in time linear in the document.

Each fragment is walked once per set of account sources it is reached with (its figures are
per instance of its type condition, which its fields are looked up on, so the place it is
spread at does not change them) and the result is reused at every spread: a fragment spread
twice costs two additions, not two walks. A chain of fragments that each spread the next twice
is therefore as quick to measure as it is to read, and its figures (2^levels selections) are
exact.

Per instance of the parent object, a field counts:

    cost      each object it returns (times the length of the list it is given: `refs`, `ids`
              up to MAX_IDS, `representations`), plus a tenth of the leaf fields selected on
              each object, rounded down (the first nine come with the object); `portfolio` adds
              every holding of each account it reads. A connection's `first` multiplies its
              `edges` and `nodes` (the `@listSize` sized fields), not `pageInfo`/`totalCount`
    fields    its key, and its objects' fields
    calls     the upstream requests it implies (`upstream.py`), and those of its objects' fields

Introspection counts like the rest, its lists sized from the schema (`introspection.py`); only
depth leaves it out, as GraphiQL's type references nest deep.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from graphql import (
    EnumValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    StringValueNode,
    TypeMetaFieldDef,
    ValueNode,
    VariableNode,
    get_named_type,
    is_composite_type,
    value_from_ast,
)

from resolvers.options import DEFAULT_FIRST, GraphOptions
from schema.limits import upstream
from schema.limits.figures import Figures
from schema.limits.introspection import introspection_sizes
from sources import Source

__all__ = ["LEAVES_PER_COST", "Composite", "Scope", "Walk"]

Composite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
Scope = frozenset[Source]
"""The sources the accounts under a field may be of (every source when unknown)."""

LEAVES_PER_COST = 10
"""Leaf fields of one object that cost as much as one object."""
_CAPPED_LISTS = frozenset({"refs", "ids"})
"""List arguments over MAX_IDS are refused by their resolver (naming the count), so they count
as MAX_IDS; `representations` counts whole."""
_SIZED_FIELDS = frozenset({"edges", "nodes"})
_WHOLE_ACCOUNTS = {"portfolio": "accounts"}
"""Fields that read every holding of the accounts in the named list argument."""
_INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})
T = TypeVar("T")
_NONE = Figures()
"""Nothing (shared: only ever added from, never to)."""
_NOTHING: tuple[Figures, Figures] = (_NONE, _NONE)


_Selected = tuple[Figures, Figures]
"""What a selection set adds to one instance of its object: the figures of its fields, and
those its sized fields (a connection's `edges` and `nodes`) add per item of the page."""


@dataclass
class Walk:
    """The figures of one operation's selections (the document need not be validated yet:
    what validation would refuse is skipped, never an error here)."""

    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    options: GraphOptions
    _memo: dict[tuple[str, Scope], _Selected] = field(default_factory=dict)
    _active: set[str] = field(default_factory=set)
    _lists: dict[tuple[str, str], Any] = field(default_factory=dict)

    @cached_property
    def _every(self) -> Scope:
        """Every source the app serves."""
        return upstream.all_sources(self.options)

    @cached_property
    def _viewer(self) -> Scope:
        """The sources of the viewer's own accounts."""
        return upstream.viewer_sources(self.options)

    def root(self, root: GraphQLObjectType, selection_set: SelectionSetNode) -> Figures:
        """Figures of an operation on `root`: its selections, and the root object's leaves."""
        base, sized = self.selection_set(root, selection_set, self._every)
        base.add(sized)
        base.cost += base.leaves // LEAVES_PER_COST
        base.leaves = 0
        if base.scans:
            base.calls += upstream.SCAN_PAGES
        return base

    def selection_set(
        self, parent: Composite, selection_set: SelectionSetNode | None, scope: Scope
    ) -> _Selected:
        base, sized = Figures(), Figures()
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                field_base, field_sized = self.field(parent, selection, scope)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                narrowed = self._type(condition.name.value) if condition else parent
                if narrowed is None:
                    continue
                field_base, field_sized = self.selection_set(
                    narrowed, selection.selection_set, scope
                )
            elif isinstance(selection, FragmentSpreadNode):
                field_base, field_sized = self.spread(selection.name.value, scope)
            else:  # pragma: no cover - graphql-core has no other selection
                continue
            base.add(field_base)
            sized.add(field_sized)
        return base, sized

    def spread(self, name: str, scope: Scope) -> _Selected:
        """A named fragment's figures, walked once per scope and reused at every spread."""
        key = (name, scope)
        known = self._memo.get(key)
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None or name in self._active:  # validation refuses both
            return _NOTHING
        condition = self._type(fragment.type_condition.name.value)
        if condition is None:
            return _NOTHING
        self._active.add(name)
        try:
            selected = self.selection_set(condition, fragment.selection_set, scope)
        finally:
            self._active.discard(name)
        self._memo[key] = selected
        return selected

    def field(self, parent: Composite, node: FieldNode, scope: Scope) -> _Selected:
        aliases = 1 if node.alias else 0
        definition = self._definition(parent, node.name.value)
        named = get_named_type(definition.type) if definition is not None else None
        if definition is None or not is_composite_type(named):
            # A leaf (or a field validation will refuse): one key, a tenth of an object.
            leaf = Figures(depth=1, selections=1, aliases=aliases, leaves=1, fields=1)
            return leaf, _NONE
        assert isinstance(named, Composite)
        name = node.name.value
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        inner, sized = self.selection_set(
            named, node.selection_set, self._scope(parent, name, given, scope)
        )
        inner.add(sized, self._first(definition, given))
        length = self._length(parent, name, given)
        per_object = 1 + inner.cost + inner.leaves // LEAVES_PER_COST
        calls, scans = self._calls(parent, name, definition, given, scope, length)
        whole = self._whole_accounts(name, given) if isinstance(parent, GraphQLObjectType) else 0
        document = Figures(
            depth=0 if name in _INTROSPECTION_ROOTS else inner.depth + 1,
            selections=1 + inner.selections,
            aliases=aliases + inner.aliases,
            fields=1,
            cost=whole,
            calls=calls,
            scans=scans or inner.scans,
        )
        items = Figures(
            cost=length * per_object, fields=length * inner.fields, calls=length * inner.calls
        )
        if name in _SIZED_FIELDS and _is_connection(parent):
            return document, items
        document.add(items)
        return document, _NONE

    # --- what one field's arguments say ---------------------------------------------------

    def _definition(self, parent: Composite, name: str) -> GraphQLField | None:
        if name == "__schema" and parent is self.schema.query_type:
            return SchemaMetaFieldDef
        if name == "__type" and parent is self.schema.query_type:
            return TypeMetaFieldDef
        if isinstance(parent, GraphQLUnionType):  # only __typename is selectable on a union
            return None
        found: GraphQLField | None = parent.fields.get(name)
        return found

    def _first(self, definition: GraphQLField, given: Mapping[str, ValueNode]) -> int:
        """How many items a connection's page may hold (1 for other fields)."""
        if "first" not in definition.args:
            return 1
        first = self._value(definition, "first", given)
        factor = first if isinstance(first, int) and first > 0 else DEFAULT_FIRST
        return min(factor, self.options.max_first)

    def _length(self, parent: Composite, name: str, given: Mapping[str, ValueNode]) -> int:
        """How many objects the field returns per instance of its parent."""
        sizes = introspection_sizes(self.schema)
        if (parent.name, name) in sizes:
            return sizes[parent.name, name]
        viewer_accounts = len(self._viewer)
        if (parent.name, name) == ("Viewer", "accounts"):
            return viewer_accounts
        if (parent.name, name) == ("Portfolio", "accounts"):
            return self.options.max_ids + viewer_accounts  # the most it may list
        factor = 1
        for argument in ("refs", "ids", "representations"):
            if argument in given:
                length = max(1, len(self._items(given[argument])))
                if argument in _CAPPED_LISTS:
                    length = min(length, self.options.max_ids)
                factor *= length
        return factor

    def _scope(
        self, parent: Composite, name: str, given: Mapping[str, ValueNode], scope: Scope
    ) -> Scope:
        """The sources of the accounts under the field."""
        every = self._every
        if (parent.name, name) == ("Viewer", "accounts"):
            return self._viewer
        if name == "_entities" and parent is self.schema.query_type:
            # Accounts a gateway names by their key `source address` (its wallets, say) are of
            # those sources; any representation without a source may be of any.
            named = self._sources(given.get("representations"))
            if named and None not in named:
                return frozenset(source for source in named if source is not None)
            return every
        if name in ("node", "nodes") and parent is self.schema.query_type:
            return every
        if "source" in given:
            source = self._source(given["source"])
            return frozenset({source}) if source else every
        for argument in ("refs", "accounts"):
            if argument in given:
                sources = self._sources(given[argument])
                if None in sources:
                    return every
                known = frozenset(s for s in sources if s is not None)
                if argument == "accounts":  # the portfolio's: the viewer's accounts too
                    known |= self._viewer
                return known or every
        return scope

    def _calls(
        self,
        parent: Composite,
        name: str,
        definition: GraphQLField,
        given: Mapping[str, ValueNode],
        scope: Scope,
        length: int,
    ) -> tuple[int, bool]:
        """Upstream requests the field itself makes per instance of its parent, and whether it
        may scan pages beyond them."""
        options = self.options
        where = (parent.name, name)
        if where == ("Account", "holdings"):
            filtered = self._given(given, "filter")
            resumed = self._given(given, "after")
            first = self._first(definition, given)
            calls = upstream.holdings_calls(
                scope, options, first, resumed=resumed, filtered=filtered
            )
            return calls, filtered
        if where == ("Account", "positions"):
            return upstream.positions_calls(scope, options), False
        if where in (("Account", "providers"), ("Account", "errors")):
            return upstream.providers_calls(scope, options), False
        if parent is self.schema.query_type:
            if name in ("node", "nodes"):
                return length * upstream.node_calls(options), True
            if name == "_entities":
                calls = self._entity_calls(given.get("representations"))
                return calls, calls > 0
            if name == "portfolio":
                sources = self._sources(given.get("accounts"))
                viewer = self._value(definition, "includeViewer", given) is True
                return upstream.portfolio_calls(sources, viewer, options), False
        if where == ("Mutation", "refreshHoldings"):
            return 1, False
        return 0, False

    def _whole_accounts(self, name: str, given: Mapping[str, ValueNode]) -> int:
        """What reading every holding of the accounts in the field's list (and the viewer's)
        costs: each account is PORTFOLIO_MAX_HOLDINGS objects, counted by pages of
        MAX_PAGE_SIZE."""
        argument = _WHOLE_ACCOUNTS.get(name)
        if argument is None:
            return 0
        accounts = min(len(self._items(given.get(argument))), self.options.max_ids)
        accounts += len(self._viewer)
        per_account = -(-self.options.portfolio_max_holdings // self.options.max_first)
        return accounts * per_account * self.options.max_first

    # --- values -----------------------------------------------------------------------------

    def _items(self, node: ValueNode | None) -> list[Any]:
        """The items of a list argument, written inline or given by a variable (none when it
        is neither); inline items stay nodes, read with `_plain`."""
        if isinstance(node, ListValueNode):
            return list(node.values)
        if isinstance(node, VariableNode):
            value = self.variables.get(node.name.value)
            return value if isinstance(value, list) else []
        return []

    def _plain(self, node: Any) -> Any:
        """A scalar or enum written inline or given by a variable, as the request sent it."""
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        if isinstance(node, EnumValueNode | StringValueNode):
            return node.value
        return node

    def _entry(self, item: Any, name: str) -> Any:
        """Field `name` of an input object written inline or sent as a variable's JSON."""
        if isinstance(item, VariableNode):
            item = self.variables.get(item.name.value)
        if isinstance(item, ObjectValueNode):
            for entry in item.fields:
                if entry.name.value == name:
                    return self._plain(entry.value)
            return None
        return item.get(name) if isinstance(item, Mapping) else None

    def _source(self, value: Any) -> Source | None:
        """The served source `value` names (None: none the app serves)."""
        value = self._plain(value)
        return next((s for s in self.options.calls if s == value), None)

    def _sources(self, node: ValueNode | None) -> tuple[Source | None, ...]:
        """The sources of a list of account refs (None for one not known), up to MAX_IDS
        (more are refused by the resolver); read once per variable, however many fields
        share it."""
        return self._per_list(
            "sources",
            node,
            lambda items: tuple(
                self._source(self._entry(item, "source")) for item in items[: self.options.max_ids]
            ),
        )

    def _entity_calls(self, node: ValueNode | None) -> int:
        """The upstream calls of a list of `_entities` representations, every one counted."""
        options = self.options
        return self._per_list(
            "entities",
            node,
            lambda items: sum(
                upstream.entity_calls(self._entry(item, "__typename"), options) for item in items
            ),
        )

    def _per_list(self, what: str, node: ValueNode | None, read: Callable[[list[Any]], T]) -> T:
        if not isinstance(node, VariableNode):
            return read(self._items(node))  # written inline: as long as the document says
        key = (what, node.name.value)
        if key not in self._lists:
            self._lists[key] = read(self._items(node))
        value: T = self._lists[key]
        return value

    def _given(self, given: Mapping[str, ValueNode], name: str) -> bool:
        """Whether the argument is given a value other than null."""
        node = given.get(name)
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value) is not None
        return node is not None and not isinstance(node, NullValueNode)

    def _value(self, definition: GraphQLField, name: str, given: Mapping[str, ValueNode]) -> Any:
        argument = definition.args[name]
        node = given.get(name)
        if node is None:
            return argument.default_value
        return value_from_ast(node, argument.type, self.variables)

    def _type(self, name: str) -> Composite | None:
        named = self.schema.get_type(name)
        return named if isinstance(named, Composite) else None


def _is_connection(parent: Composite) -> bool:
    return isinstance(parent, GraphQLObjectType) and {"edges", "pageInfo"} <= parent.fields.keys()
