// A real Hive Gateway composing the holdings graph with a `users` subgraph.
//
//   node hive-gateway.mjs HOLDINGS_GRAPHQL_URL USERS_JSON
//
// Starts the `users` subgraph (as gateway.mjs does) and Hive Gateway's runtime
// (@graphql-hive/gateway) with its local "dev" supergraph source: the gateway reads both
// subgraphs' `_service { sdl }` and composes them itself with @theguild/federation-composition,
// the composition Hive's registry and CLI use. It is served over node:http on a loopback port.
// Before printing {"gateway", "users"} as one JSON line the script asks the gateway for its
// schema, which makes it compose: a subgraph Hive cannot compose fails here, with Hive's
// composition errors on stderr and a non-zero exit. Then it serves until stdin closes. The
// user's `Authorization` and `X-Calico-Token` go on to the holdings subgraph only.
import { createServer } from "node:http";

import { createGatewayRuntime } from "@graphql-hive/gateway";

import { USER_HEADERS, serveUntilStdinCloses, startUsersSubgraph } from "./users.mjs";

const [holdingsUrl, usersJson] = process.argv.slice(2);
const users = await startUsersSubgraph(JSON.parse(usersJson));

const gateway = createGatewayRuntime({
  supergraph: {
    type: "dev",
    services: [
      { name: "holdings", url: holdingsUrl },
      { name: "users", url: users.url },
    ],
  },
  propagateHeaders: {
    fromClientToSubgraphs: ({ request, subgraphName }) =>
      subgraphName === "holdings"
        ? Object.fromEntries(
            USER_HEADERS.filter((header) => request.headers.has(header)).map((header) => [
              header,
              request.headers.get(header),
            ]),
          )
        : {},
  },
  logging: "error",
  maskedErrors: false,
});

const server = createServer(gateway);
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const gatewayUrl = `http://127.0.0.1:${server.address().port}/graphql`;

async function stop() {
  await new Promise((resolve) => server.close(resolve));
  await gateway.dispose();
  await users.stop();
}

const probe = await fetch(gatewayUrl, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ query: "{ __schema { queryType { name } } }" }),
});
const answer = await probe.json();
if (answer.errors?.length || !answer.data?.__schema) {
  process.stderr.write(`Hive Gateway could not compose the supergraph: ${JSON.stringify(answer)}\n`);
  await stop();
  process.exit(1);
}

serveUntilStdinCloses({ gateway: gatewayUrl, users: users.url }, stop);
