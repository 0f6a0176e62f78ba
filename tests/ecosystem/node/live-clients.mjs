// Subscribes to the holdings graph with real clients and makes the world move in between:
// graphql-ws (graphql-transport-ws), Apollo Client's GraphQLWsLink (over graphql-ws) and
// graphql-sse (distinct connections mode). Each client takes its first event (the current
// state), then this script asks its test to change an amount on the algod sandbox (`ask.mjs`:
// the test moves it through the sandbox's control route) and waits for the event telling it; it prints one JSON line with what each client received and
// how long the event took to arrive after the change was made, and how many times each
// WebSocket client connected (graphql-ws reconnects on its own, and a new connection starts
// with a new first event, so one connection each is part of what the test checks).
//
//   node live-clients.mjs '{"url": "http://127.0.0.1:P/graphql", "address": "...",
//                           "token": "<JWT>", "calico": "..."}'
import { ApolloClient, InMemoryCache, gql } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { createClient as createWsClient } from "graphql-ws";
import { createClient as createSseClient } from "graphql-sse";
import WebSocket from "ws";

import { ask, doneAsking } from "./ask.mjs";

const config = JSON.parse(process.argv[2]);
const wsUrl = config.url.replace(/^http/, "ws");
const USDC = "31566704";
const account = { source: "ALGORAND", address: config.address };
const connectionParams = { Authorization: `Bearer ${config.token}`, "X-Calico-Token": config.calico };

// A graphql-ws client that counts its connections (in `counter.connections`).
function wsClient(counter) {
  counter.connections = 0;
  return createWsClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams,
    on: { connected: () => { counter.connections += 1; } },
  });
}

const HOLDINGS = `subscription Holdings($account: AccountRef!) {
  holdingsChanged(account: $account) {
    initial round complete changed { previousRawAmount rawAmount holding { asset { symbol } } }
    added { asset { symbol } }
  }
}`;
const PORTFOLIO = `subscription Portfolio($accounts: [AccountRef!]) {
  portfolioChanged(accounts: $accounts, includeViewer: true) {
    initial totalValueUsd
    bySource { source complete }
    moved { key previous { amount } current { amount } }
    errors { source code provider }
  }
}`;

async function change(rawAmount) {
  const answer = await ask({ sandbox: "algod", change: { address: config.address, set: { [USDC]: rawAmount } } });
  return answer.round;
}

// Resolves with the events of one subscription: the first, then the one after `change`.
function twoEvents(subscribe, rawAmount, isTheChange) {
  return new Promise((resolve, reject) => {
    const events = [];
    let changedAt = null;
    let stop = () => {};
    const timer = setTimeout(() => { stop(); reject(new Error("no event within 60 s")); }, 60000);
    stop = subscribe({
      next: async (result) => {
        if (result.errors) { clearTimeout(timer); stop(); reject(new Error(JSON.stringify(result.errors))); return; }
        events.push(result.data);
        if (events.length === 1) {
          changedAt = performance.now();
          await change(rawAmount);
        } else if (isTheChange(result.data)) {
          const delayMs = performance.now() - changedAt;
          clearTimeout(timer);
          stop();
          resolve({ first: events[0], change: result.data, delayMs });
        }
      },
      error: (error) => { clearTimeout(timer); reject(error instanceof Error ? error : new Error(JSON.stringify(error))); },
      complete: () => {},
    });
  });
}

const amountIs = (raw) => (data) =>
  (data.holdingsChanged?.changed ?? []).some((c) => c.rawAmount === raw);

async function viaGraphqlWs() {
  const counter = {};
  const client = wsClient(counter);
  try {
    return { ...(await twoEvents(
      (sink) => client.subscribe({ query: HOLDINGS, variables: { account } }, sink),
      7000001,
      amountIs("7000001"),
    )), ...counter };
  } finally {
    await client.dispose();
  }
}

async function viaApollo() {
  const counter = {};
  const ws = wsClient(counter);
  const apollo = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });
  try {
    return { ...(await twoEvents((sink) => {
      const subscription = apollo
        .subscribe({ query: gql(PORTFOLIO), variables: { accounts: [account] } })
        .subscribe({ next: sink.next, error: sink.error, complete: sink.complete });
      return () => subscription.unsubscribe();
    }, 7000002, (data) => data.portfolioChanged.moved.some((m) => m.current?.amount === "7.000002"))),
    ...counter };
  } finally {
    apollo.stop();
    await ws.dispose();
  }
}

async function viaGraphqlSse() {
  const client = createSseClient({ url: config.url, singleConnection: false });
  try {
    return await twoEvents(
      (sink) => client.subscribe({ query: HOLDINGS, variables: { account } }, sink),
      7000003,
      amountIs("7000003"),
    );
  } finally {
    client.dispose();
  }
}

const results = {};
results["graphql-ws"] = await viaGraphqlWs();
results["apollo-graphql-ws-link"] = await viaApollo();
results["graphql-sse"] = await viaGraphqlSse();
doneAsking();
console.log(JSON.stringify(results));
process.exit(0);
