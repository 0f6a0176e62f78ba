// Apollo Client (@apollo/client) against the holdings graph, as a web app's client would run it.
//
//   node apollo-client.mjs persisted GRAPHQL_URL post|get OPERATIONS_JSON
//   node apollo-client.mjs batch GRAPHQL_URL BATCH_MAX OPERATIONS_JSON
//   node apollo-client.mjs defer GRAPHQL_URL 2022|v0.2 OPERATIONS_JSON HEADERS_JSON
//   node apollo-client.mjs default GRAPHQL_URL HEADERS_JSON OPERATIONS_JSON
//
// OPERATIONS_JSON is a list of {"query", "variables"}. Every HTTP request the client sends goes
// through a recording `fetch`, so the test sees what went over the wire.
//
// persisted: createPersistedQueryLink (SHA-256 from node:crypto; with `get`,
//   useGETForHashedQueries) in front of HttpLink. Two runs, each with a fresh ApolloClient (a
//   fresh link, as a reloaded page has): every operation once per run, all at once.
// batch: BatchHttpLink with batchMax BATCH_MAX; every operation at once, so they go together.
// defer: HttpLink with HEADERS_JSON and an incremental handler (2022: Defer20220824Handler, which
//   asks for multipart/mixed;deferSpec=20220824; v0.2: GraphQL17Alpha9Handler,
//   incrementalSpec=v0.2); each operation watched by a client of its own, one after the other,
//   every result Apollo Client emits recorded with the milliseconds since the query started:
//   {ms, dataState, data, errors}.
// default: a plain HttpLink sending HEADERS_JSON (the user's), and `client.query` with Apollo
//   Client's defaults: no errorPolicy given, so 'none', under which a response with any GraphQL
//   error loses its data (the query rejects). A result then also has `codes`, the errors'
//   `extensions.code`.
//
// Prints one JSON line: {"runs": [{"requests": [...], "results": [...]}, ...]}, a request being
// {method, operations: [{hasQuery, hash, text}], status, cacheControl, accept, contentType, codes}
// (defer: without operations and codes), a result {data, errors}.
import { createHash } from "node:crypto";

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { Defer20220824Handler, GraphQL17Alpha9Handler } from "@apollo/client/incremental";
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import { BatchHttpLink } from "@apollo/client/link/batch-http";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";

const [mode, url, option, operationsJson] = process.argv.slice(2);
const operations = JSON.parse(operationsJson);

function recorder() {
  const requests = [];
  async function recordingFetch(input, init = {}) {
    const response = await fetch(input, init);
    const seen = {
      method: init.method ?? "GET",
      status: response.status,
      cacheControl: response.headers.get("cache-control"),
      accept: new Headers(init.headers).get("accept"),
      contentType: response.headers.get("content-type"),
    };
    if (mode === "defer") {
      // Apollo Client reads the body as it streams: it is not read here.
      requests.push(seen);
      return response;
    }
    const text = await response.clone().text();
    const target = new URL(String(input));
    const sent = init.body
      ? [JSON.parse(init.body)].flat()
      : [Object.fromEntries([...target.searchParams].map(([k, v]) => [k, k === "query" || k === "operationName" ? v : JSON.parse(v)]))];
    let answer = null;
    try {
      answer = JSON.parse(text);
    } catch {}
    requests.push({
      ...seen,
      operations: sent.map((body) => ({
        hasQuery: typeof body.query === "string",
        hash: body.extensions?.persistedQuery?.sha256Hash ?? null,
        text: typeof body.query === "string" ? body.query : null,
      })),
      codes: [answer ?? []].flat().flatMap((one) => (one?.errors ?? []).map((e) => e.extensions?.code ?? null)),
    });
    return response;
  }
  return { requests, fetch: recordingFetch };
}

async function run(link) {
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  const results = await Promise.all(
    operations.map(({ query, variables }) =>
      client
        .query({ query: gql(query), variables, fetchPolicy: "network-only", errorPolicy: "all" })
        .then(
          ({ data, error }) => ({ data: data ?? null, errors: error ? String(error.message) : null }),
          (error) => ({ data: null, errors: String(error.message) }),
        ),
    ),
  );
  client.stop();
  return results;
}

// As a web app calls it: Apollo Client's defaults, `errorPolicy` included.
async function runWithDefaults(link) {
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  const results = [];
  for (const { query, variables } of operations) {
    try {
      const { data, error } = await client.query({ query: gql(query), variables });
      results.push({ data: data ?? null, errors: error ? String(error.message) : null, codes: [] });
    } catch (error) {
      const codes = CombinedGraphQLErrors.is(error)
        ? error.errors.map((e) => e.extensions?.code ?? null)
        : [];
      results.push({ data: null, errors: String(error.message), codes });
    }
  }
  client.stop();
  return results;
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const runs = [];
if (mode === "persisted") {
  for (let n = 0; n < 2; n++) {
    const { requests, fetch } = recorder();
    const link = ApolloLink.from([
      createPersistedQueryLink({ sha256, useGETForHashedQueries: option === "get" }),
      new HttpLink({ uri: url, fetch }),
    ]);
    runs.push({ results: await run(link), requests });
  }
} else if (mode === "batch") {
  const { requests, fetch } = recorder();
  const link = new BatchHttpLink({ uri: url, fetch, batchMax: Number(option), batchInterval: 50 });
  runs.push({ results: await run(link), requests });
} else if (mode === "default") {
  const { requests, fetch } = recorder();
  const link = new HttpLink({ uri: url, fetch, headers: JSON.parse(option) });
  runs.push({ results: await runWithDefaults(link), requests });
} else if (mode === "defer") {
  const headersJson = process.argv[6];
  const { requests, fetch } = recorder();
  const incrementalHandler = option === "v0.2" ? new GraphQL17Alpha9Handler() : new Defer20220824Handler();
  const headers = JSON.parse(headersJson);
  const results = [];
  for (const { query, variables } of operations) {
    // A client of its own for each (a page loaded afresh), on the process's warm connections.
    const client = new ApolloClient({ link: new HttpLink({ uri: url, fetch, headers }), cache: new InMemoryCache(), incrementalHandler });
    const started = performance.now();
    const emitted = [];
    await new Promise((resolve, reject) => {
      const subscription = client
        .watchQuery({ query: gql(query), variables, fetchPolicy: "network-only", errorPolicy: "all" })
        .subscribe({
          next: ({ data, dataState, error }) => {
            emitted.push({
              ms: Math.round(performance.now() - started),
              dataState,
              data: data ?? null,
              errors: error ? (error.errors ?? [error]).map((e) => ({ message: e.message, path: e.path ?? null, code: e.extensions?.code ?? null })) : null,
            });
            if (dataState === "complete") {
              subscription.unsubscribe();
              resolve();
            }
          },
          error: reject,
        });
    });
    client.stop();
    results.push(emitted);
  }
  runs.push({ results, requests });
} else {
  throw new Error(`unknown mode ${mode}`);
}
process.stdout.write(JSON.stringify({ runs }) + "\n");
