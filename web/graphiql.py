"""GraphiQL at `/graphql` in a browser, with its JavaScript and CSS served by the app itself.

Strawberry's page loads React and GraphiQL from a CDN, which a locked-down network (or this
project's CI) cannot reach. Here the page (`graphiql_static/index.html`) loads them from
`/graphiql/assets/`, files vendored from the npm packages by `scripts/vendor-graphiql` (versions
and checksums in `graphiql_static/assets/VERSIONS`, each package's licence beside its files).

The page opens with a query that shows the graph off on the sandboxes (the whale's first
holdings with their assets, and the account's providers) and says how to send a bearer token.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

__all__ = ["ASSETS_PATH", "DEFAULT_QUERY", "GraphiQLPage", "graphiql_assets"]

#: The sandbox's whale (docs/sandboxes.md): 2,500 ASAs.
WHALE = "4BKTTRHZ2MXLTTYWY76S5GOCSQ6UYXHHAGSNVAKETKEO5ONLKJIZWR6IYM"
_STATIC = Path(__file__).parent / "graphiql_static"
#: Where the page's files are served (the page names them relative to `/graphql`).
ASSETS_PATH = "/graphiql/assets"

DEFAULT_QUERY = f"""\
# The holdings graph: Algorand, Cardano, Calico and Mesh
# holdings in one typed, paginated graph.
#
# Press the run button (Ctrl-Enter): the sandbox whale's
# first holdings, exact to the last base unit, with their
# assets, and where the account keeps them.
#
# Custodial data (viewer, CALICO, MESH) needs a bearer
# token: run `python server.py token alice`, open the
# Headers tab below and paste
#   {{"Authorization": "Bearer <token>",
#    "X-Calico-Token": "sandbox-calico-alice"}}
# then ask: {{ viewer {{ accounts {{ source holdings {{
#   nodes {{ amount asset {{ symbol }} }} }} }} }} }}

query WhaleHoldings {{
  account(source: ALGORAND, address: "{WHALE}") {{
    address
    chainId
    holdings(first: 3) {{
      nodes {{
        amount
        rawAmount
        asset {{ symbol name decimals kind caip19 }}
      }}
      pageInfo {{ hasNextPage endCursor }}
    }}
    providers {{ slug name kind }}
  }}
}}
"""


class GraphiQLPage:
    """The GraphiQL page, with `DEFAULT_QUERY` in its editor."""

    def __init__(self, default_query: str = DEFAULT_QUERY) -> None:
        self._default_query = default_query

    @cached_property
    def html(self) -> str:
        template = (_STATIC / "index.html").read_text(encoding="utf-8")
        # A JSON string is a JavaScript string literal; "</" is escaped so that no query text
        # can close the <script> element.
        literal = json.dumps(self._default_query).replace("</", "<\\/")
        return template.replace("__DEFAULT_QUERY__", literal)


def graphiql_assets() -> Mount:
    """The route serving GraphiQL's vendored files."""
    return Mount(ASSETS_PATH, StaticFiles(directory=_STATIC / "assets"), name="graphiql-assets")
