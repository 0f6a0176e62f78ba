// The `users` service the gateway and stitching tests put beside the holdings graph: a user has
// wallets, which are the holdings graph's `Account`s, named by their key `source address`.
// Its users and their wallets come from the test (argv), which derived them from the sandboxes.

export const typeDefs = `
  enum Source { ALGORAND CARDANO CALICO MESH }
  type Query {
    "A user by id."
    user(id: ID!): User
  }
  type User {
    id: ID!
    "The user's wallets: accounts the holdings graph resolves."
    wallets: [Account!]!
  }
  type Account {
    source: Source!
    address: String!
  }
`;

export function resolvers(users) {
  return {
    Query: {
      user: (_, { id }) => (id in users ? { id, wallets: users[id] } : null),
    },
  };
}

// The users service as an Apollo Federation subgraph (`User` an entity, `Account` a reference to
// the holdings graph's entity), served by @apollo/server on a loopback port: what both gateway
// tests compose beside the holdings graph. Resolves to { url, stop }.
export async function startUsersSubgraph(users) {
  const { ApolloServer } = await import("@apollo/server");
  const { ApolloServerPluginInlineTraceDisabled } = await import("@apollo/server/plugin/disabled");
  const { startStandaloneServer } = await import("@apollo/server/standalone");
  const { buildSubgraphSchema } = await import("@apollo/subgraph");
  const { parse } = await import("graphql");
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
  const { url } = await startStandaloneServer(subgraph, { listen: { host: "127.0.0.1", port: 0 } });
  return { url, stop: () => subgraph.stop() };
}

// The user's headers a gateway passes on to the holdings graph (lower case, as Node has them).
export const USER_HEADERS = ["authorization", "x-calico-token"];

// Prints the line the test waits for ("READY " and the URLs as JSON), then serves until the
// test closes our stdin.
export function serveUntilStdinCloses(urls, close) {
  process.stdout.write("READY " + JSON.stringify(urls) + "\n");
  process.stdin.resume();
  process.stdin.on("end", async () => {
    await close();
    process.exit(0);
  });
}
