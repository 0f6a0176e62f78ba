// A real Apollo Gateway composing the holdings graph with a `users` subgraph.
//
//   node gateway.mjs HOLDINGS_GRAPHQL_URL USERS_JSON
//
// Starts the `users` subgraph (@apollo/subgraph) and an Apollo Gateway (@apollo/gateway on
// @apollo/server) on loopback ports; the gateway composes the supergraph itself
// (IntrospectAndCompose: `_service { sdl }` of both subgraphs). The user's `Authorization` and
// `X-Calico-Token` go on to the holdings subgraph only (custodial data needs them; the users
// subgraph has no business with them). Prints {"gateway", "users"} URLs as one JSON line, then
// serves until stdin closes.
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

import { USER_HEADERS, serveUntilStdinCloses, startUsersSubgraph } from "./users.mjs";

const [holdingsUrl, usersJson] = process.argv.slice(2);
const users = await startUsersSubgraph(JSON.parse(usersJson));

const gateway = new ApolloGateway({
  supergraphSdl: new IntrospectAndCompose({
    subgraphs: [
      { name: "holdings", url: holdingsUrl },
      { name: "users", url: users.url },
    ],
  }),
  buildService: ({ name, url }) =>
    new RemoteGraphQLDataSource({
      url,
      willSendRequest({ request, context }) {
        if (name !== "holdings") return;
        for (const header of USER_HEADERS) {
          const value = context.headers?.[header];
          if (typeof value === "string") request.http.headers.set(header, value);
        }
      },
    }),
});
const server = new ApolloServer({ gateway });
const { url: gatewayUrl } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: 0 },
  context: async ({ req }) => ({ headers: req.headers }),
});

serveUntilStdinCloses({ gateway: gatewayUrl, users: users.url }, async () => {
  await server.stop();
  await users.stop();
});
