"""The public client schema: what a web or mobile client of the graph sees, with no federation
plumbing (`schema.client.graphql`, written by `python server.py export-schema`).

`schema.graphql` is the subgraph SDL a router composes: it links Federation (`@link`) and uses
`@key`, `@cost` and `@listSize` without declaring them, and holds `_service`, `_entities`, `_Any`
and `_Entity`. graphql-js's `buildSchema` (and so graphql-inspector, codegen, IDE plugins) refuses
it. The client schema is the same graph without those: only the types a client's operation can
reach, each directive that it uses declared or built in (`@deprecated`, `@specifiedBy`), and
the directives a client may write in an operation (`@include`, `@skip`, and any executable
directive the server adds) declared. Descriptions are kept.
"""

from __future__ import annotations

from graphql import (
    DirectiveLocation,
    GraphQLDirective,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    print_schema,
)

__all__ = ["client_schema", "client_sdl"]

#: Query fields a router sends and a client never should.
_ROUTER_FIELDS = frozenset({"_service", "_entities"})
#: Where a directive applies in an operation (as opposed to in a schema's definition).
_EXECUTABLE = frozenset(
    {
        DirectiveLocation.QUERY,
        DirectiveLocation.MUTATION,
        DirectiveLocation.SUBSCRIPTION,
        DirectiveLocation.FIELD,
        DirectiveLocation.FRAGMENT_DEFINITION,
        DirectiveLocation.FRAGMENT_SPREAD,
        DirectiveLocation.INLINE_FRAGMENT,
        DirectiveLocation.VARIABLE_DEFINITION,
    }
)
_BUILT_IN = frozenset({"include", "skip", "deprecated", "specifiedBy", "oneOf"})


def _for_clients(directive: GraphQLDirective) -> bool:
    """Built-in directives, and those a client can write in an operation. Type-system directives
    of our own (Federation's `@key`, `@link`, `@cost`, `@listSize`) speak to routers only."""
    return directive.name in _BUILT_IN or bool(_EXECUTABLE & set(directive.locations))


def client_schema(served: GraphQLSchema) -> GraphQLSchema:
    """`served` without what only a router uses."""
    query = served.query_type
    assert query is not None
    kwargs = query.to_kwargs()
    kwargs["fields"] = {
        name: field for name, field in query.fields.items() if name not in _ROUTER_FIELDS
    }
    client_query = GraphQLObjectType(**kwargs)
    # Only what the client's roots reach (`_Any`, `_Entity`, `_Service`, `_FieldSet` and
    # `link__*` hang off the router fields and directives left out), and every `Node` type:
    # reachable through `node(id:)`, a client fragment may name one that no field returns.
    nodes: list[GraphQLNamedType] = [
        type_
        for type_ in served.type_map.values()
        if isinstance(type_, GraphQLObjectType)
        and any(interface.name == "Node" for interface in type_.interfaces)
    ]
    return GraphQLSchema(
        query=client_query,
        mutation=served.mutation_type,
        subscription=served.subscription_type,
        types=nodes,
        directives=[d for d in served.directives if _for_clients(d)],
        description=served.description,
    )


def client_sdl(served: GraphQLSchema) -> str:
    """The client schema's SDL, as committed in `schema.client.graphql`."""
    return print_schema(client_schema(served)) + "\n"
