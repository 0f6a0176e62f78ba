// Schema stitching with type merging: the holdings graph and a `users` schema, one gateway.
//
//   node stitch.mjs HOLDINGS_GRAPHQL_URL USERS_JSON
//
// The holdings graph is a remote subschema (introspected over HTTP); `Account` is merged
// through its `accounts(refs:)` field, batched: every wallet of a response is fetched in one
// call. The user's `Authorization` and `X-Calico-Token` go on to the holdings graph (from the
// request's context). Serves the stitched schema over plain node:http on a loopback port, prints
// {"gateway"} as one JSON line, then serves until stdin closes.
import { createServer } from "node:http";

import { buildHTTPExecutor } from "@graphql-tools/executor-http";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { stitchSchemas } from "@graphql-tools/stitch";
import { schemaFromExecutor } from "@graphql-tools/wrap";
import { graphql } from "graphql";

import { USER_HEADERS, resolvers, serveUntilStdinCloses, typeDefs } from "./users.mjs";

const [holdingsUrl, usersJson] = process.argv.slice(2);
const users = JSON.parse(usersJson);

const holdingsExecutor = buildHTTPExecutor({
  endpoint: holdingsUrl,
  // The introspection at start-up has no context, and needs no header.
  headers: (request) => request?.context?.headers ?? {},
});
const holdings = {
  schema: await schemaFromExecutor(holdingsExecutor),
  executor: holdingsExecutor,
  batch: true,
  merge: {
    Account: {
      selectionSet: "{ source address }",
      fieldName: "accounts",
      key: ({ source, address }) => ({ source, address }),
      argsFromKeys: (refs) => ({ refs }),
    },
  },
};
const usersSchema = makeExecutableSchema({ typeDefs, resolvers: resolvers(users) });
const schema = stitchSchemas({ subschemas: [holdings, { schema: usersSchema }] });

const server = createServer(async (request, response) => {
  let body = "";
  for await (const chunk of request) body += chunk;
  const { query, variables, operationName } = JSON.parse(body || "{}");
  const result = await graphql({
    schema,
    source: query,
    variableValues: variables,
    operationName,
    // A context per request: graphql-tools keeps its batching loaders per context, so
    // without one they (and their caches) would live as long as the process.
    contextValue: {
      headers: Object.fromEntries(
        USER_HEADERS.filter((header) => typeof request.headers[header] === "string").map(
          (header) => [header, request.headers[header]],
        ),
      ),
    },
  });
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify(result));
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  serveUntilStdinCloses(
    { gateway: `http://127.0.0.1:${port}/graphql` },
    () => new Promise((resolve) => server.close(resolve)),
  );
});
