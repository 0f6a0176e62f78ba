// A real Apollo Gateway composing the holdings graph with a `users` subgraph.
//
//   node gateway.mjs HOLDINGS_GRAPHQL_URL USERS_JSON
//
// Starts the `users` subgraph (@apollo/subgraph) and an Apollo Gateway (@apollo/gateway on
// @apollo/server) on loopback ports; the gateway composes the supergraph itself
// (IntrospectAndCompose: `_service { sdl }` of both subgraphs). Prints {"gateway", "users"}
// URLs as one JSON line, then serves until stdin closes.
import { ApolloGateway, IntrospectAndCompose } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";

import { resolvers, serveUntilStdinCloses, typeDefs } from "./users.mjs";

const [holdingsUrl, usersJson] = process.argv.slice(2);
const users = JSON.parse(usersJson);
const listen = { listen: { host: "127.0.0.1", port: 0 } };

const federated = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  ${typeDefs
    .replace("type User {", 'type User @key(fields: "id") {')
    .replace("type Account {", 'type Account @key(fields: "source address", resolvable: false) {')}
`;
const subgraph = new ApolloServer({
  schema: buildSubgraphSchema({ typeDefs: parse(federated), resolvers: resolvers(users) }),
  plugins: [ApolloServerPluginInlineTraceDisabled()],
});
const { url: usersUrl } = await startStandaloneServer(subgraph, listen);

const gateway = new ApolloGateway({
  supergraphSdl: new IntrospectAndCompose({
    subgraphs: [
      { name: "holdings", url: holdingsUrl },
      { name: "users", url: usersUrl },
    ],
  }),
});
const server = new ApolloServer({ gateway });
const { url: gatewayUrl } = await startStandaloneServer(server, listen);

serveUntilStdinCloses({ gateway: gatewayUrl, users: usersUrl }, async () => {
  await server.stop();
  await subgraph.stop();
});
