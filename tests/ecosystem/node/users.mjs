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
