"""A pure subtree's shape compiled to one Python function that builds its response value.

The function reads each field's attribute, tests its class and serializes it inline, and builds
every object as one dict display in graphql-core's key order, with no call per field. What it
cannot complete exactly as graphql-core would (a null where none may be, a value of an
unexpected class, an error, an awaitable) it does not complete at all: it raises, and
graphql-core completes that value from the start. It is pure (attribute reads, class tests,
serializers), so nothing it did before raising is observable.

    complete(value) -> the completed value, or raises

Nesting is bounded (CPython refuses more than 20 nested loops, and 100 indents): a deeper
shape is not compiled.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from typing import Any

from graphql.pyutils import Undefined

from schema.execution.admission import PLAIN, Bail, admit
from schema.execution.shapes import Leaf, LeafKind, ListOf, NonNull, Object, Shape

__all__ = ["Completer", "compile_shape"]

Completer = Callable[[Any], Any]

_MAX_LOOPS = 16
_MAX_INDENT = 80
_INT_RANGE = "-2147483648 <= {v} <= 2147483647"
"""GraphQL's Int is 32-bit: graphql-core refuses others (an error, which graphql-core gives)."""


class _TooDeep(Exception):
    pass


class _Source:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: dict[str, object] = {
            "_Bail": Bail,
            "_admit": admit,
            "_PLAIN": PLAIN,
            "_UNDEFINED": Undefined,
        }
        self._names = 0
        self._loops = 0

    def name(self, prefix: str = "v") -> str:
        self._names += 1
        return f"{prefix}{self._names}"

    def constant(self, value: object, prefix: str) -> str:
        name = self.name(prefix)
        self.constants[name] = value
        return name

    def emit(self, depth: int, line: str) -> None:
        if depth > _MAX_INDENT:
            raise _TooDeep
        self.lines.append("    " * depth + line)

    def value(self, shape: Shape, source: str, depth: int) -> str:
        """Emits the completion of `source` (a nullable position); returns the result's name."""
        if isinstance(shape, NonNull):
            inner = shape.inner
            if not (isinstance(inner, Leaf) and inner.kind is not LeafKind.COERCED):
                self.emit(depth, f"if {source} is None: raise _Bail")
            # (A builtin scalar's class test refuses a null by itself.)
            return self.present(inner, source, depth)
        if isinstance(shape, Leaf) and shape.kind is not LeafKind.COERCED:
            # A null passes as it is; any other value must be of the exact class.
            self.emit(depth, f"if {source} is not None and {_not_builtin(shape, source)}:")
            self.emit(depth + 1, "raise _Bail")
            return source
        result = self.name()
        self.emit(depth, f"if {source} is None: {result} = None")
        self.emit(depth, "else:")
        completed = self.present(shape, source, depth + 1)
        self.emit(depth + 1, f"{result} = {completed}")
        return result

    def present(self, shape: Shape, source: str, depth: int) -> str:
        """Emits the completion of `source`, known not to be None."""
        if isinstance(shape, NonNull):  # validation never nests non-nulls; stay exact anyway
            return self.value(shape, source, depth)
        if isinstance(shape, Leaf):
            return self.leaf(shape, source, depth)
        if isinstance(shape, ListOf):
            return self.list(shape, source, depth)
        return self.object(shape, source, depth)

    def leaf(self, shape: Leaf, source: str, depth: int) -> str:
        if shape.kind is not LeafKind.COERCED:
            self.emit(depth, f"if {_not_builtin(shape, source)}: raise _Bail")
            return source
        coerce = self.constant(shape.coerce, "coerce")
        result = self.name()
        self.emit(depth, f"if {source}.__class__ not in _PLAIN: _admit({source})")
        self.emit(depth, f"{result} = {coerce}({source})")
        self.emit(depth, f"if {result} is None or {result} is _UNDEFINED: raise _Bail")
        return result

    def list(self, shape: ListOf, source: str, depth: int) -> str:
        self._loops += 1
        if self._loops > _MAX_LOOPS:
            raise _TooDeep
        result, append, item = self.name(), self.name("append"), self.name("item")
        self.emit(
            depth,
            f"if {source}.__class__ is not list and {source}.__class__ is not tuple: raise _Bail",
        )
        self.emit(depth, f"{result} = []")
        self.emit(depth, f"{append} = {result}.append")
        self.emit(depth, f"for {item} in {source}:")
        completed = self.value(shape.item, item, depth + 1)
        self.emit(depth + 1, f"{append}({completed})")
        self._loops -= 1
        return result

    def object(self, shape: Object, source: str, depth: int) -> str:
        self.emit(depth, f"if {source}.__class__ not in _PLAIN: _admit({source})")
        if shape.is_type_of is not None:
            is_type_of = self.constant(shape.is_type_of, "is_type_of")
            self.emit(depth, f"if not {is_type_of}({source}, None): raise _Bail")
        entries: list[str] = []
        for field in shape.fields:
            if field.typename is not None:
                entries.append(f"{field.key!r}: {field.typename!r}")
                continue
            assert field.attribute is not None and field.shape is not None
            read = self.name()
            self.emit(depth, f"{read} = {_attribute(self, source, field.attribute)}")
            entries.append(f"{field.key!r}: {self.value(field.shape, read, depth)}")
        result = self.name()
        self.emit(depth, f"{result} = {{{', '.join(entries)}}}")
        return result


def _not_builtin(shape: Leaf, source: str) -> str:
    """The test that `source` is not of the one class a builtin scalar passes through."""
    if shape.kind is LeafKind.INT:
        return f"({source}.__class__ is not int or not {_INT_RANGE.format(v=source)})"
    return f"{source}.__class__ is not {shape.kind.value}"


def _attribute(code: _Source, source: str, attribute: str) -> str:
    # A `__name` would be mangled if the code ran in a class: read it by getattr.
    if attribute.isidentifier() and not keyword.iskeyword(attribute) and attribute[:2] != "__":
        return f"{source}.{attribute}"
    return f"getattr({source}, {code.constant(attribute, 'name')})"


def compile_shape(shape: Shape, label: str) -> Completer | None:
    """The completer of `shape`, or None when it nests too deep to compile."""
    code = _Source()
    try:
        result = code.value(shape, "value", 1)
    except _TooDeep:
        return None
    source = "\n".join(["def complete(value):", *code.lines, f"    return {result}", ""])
    namespace = dict(code.constants)
    exec(compile(source, f"<plan {label}>", "exec"), namespace)
    completer: Completer = namespace["complete"]  # type: ignore[assignment]
    completer.__doc__ = source  # what `help()` shows: the generated code, for debugging
    return completer
