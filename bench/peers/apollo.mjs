// Apollo Server 5 with @apollo/datasource-rest answering S1 the way its documentation shows:
// one RESTDataSource for algod, resolvers that map algod's JSON onto the graph's S1 shape, so
// the bench sends this server the very document it sends the graph. Written as a team would
// write it in an afternoon (no BigInt handling: that is what the exactness column shows).
//   ALGOD_URL=... ALGOD_TOKEN=... PORT=N node apollo.mjs
import { RESTDataSource } from '@apollo/datasource-rest';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const CHAIN = 'algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73k';

class Algod extends RESTDataSource {
  baseURL = `${process.env.ALGOD_URL}/`;

  willSendRequest(_path, request) {
    request.headers['X-Algo-API-Token'] = process.env.ALGOD_TOKEN;
  }

  accountAssets(address, limit, next) {
    const params = { limit: String(limit) };
    if (next) params.next = next;
    return this.get(`v2/accounts/${encodeURIComponent(address)}/assets`, { params });
  }
}

const typeDefs = `#graphql
  enum Source { ALGORAND }
  enum AssetKind { FUNGIBLE NFT }
  type Asset {
    id: ID!
    kind: AssetKind!
    symbol: String
    name: String
    decimals: Int
    caip19: String
    assetId: String
  }
  type AssetHolding {
    id: ID!
    amount: String!
    rawAmount: String
    isFrozen: Boolean
    asset: Asset!
  }
  type HoldingEdge { cursor: String! node: AssetHolding! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type HoldingConnection { edges: [HoldingEdge!]! pageInfo: PageInfo! }
  type Account {
    source: Source!
    address: String!
    holdings(first: Int = 20, after: String): HoldingConnection!
  }
  type Query { account(source: Source!, address: String!): Account }
`;

function holding(address, entry) {
  const h = entry['asset-holding'];
  const p = entry['asset-params'] || {};
  const id = h['asset-id'];
  const decimals = p.decimals ?? 0;
  return {
    id: Buffer.from(`AssetHolding:${address}:${id}`).toString('base64url'),
    amount: String(h.amount / 10 ** decimals),
    rawAmount: String(h.amount),
    isFrozen: h['is-frozen'],
    asset: {
      id: Buffer.from(`Asset:${id}`).toString('base64url'),
      kind: p.total === 1 && decimals === 0 ? 'NFT' : 'FUNGIBLE',
      symbol: p['unit-name'] ?? null,
      name: p.name ?? null,
      decimals: entry['asset-params'] ? decimals : null,
      caip19: `${CHAIN}/asa:${id}`,
      assetId: String(id),
    },
  };
}

const cursor = (id) => Buffer.from(String(id)).toString('base64url');

const resolvers = {
  Query: { account: (_, { source, address }) => ({ source, address }) },
  Account: {
    holdings: async ({ address }, { first, after }, { dataSources }) => {
      const next = after ? Buffer.from(after, 'base64url').toString() : undefined;
      const body = await dataSources.algod.accountAssets(address, first, next);
      const entries = body['asset-holdings'] || [];
      const edges = entries.map((entry) => ({
        cursor: cursor(entry['asset-holding']['asset-id']),
        node: holding(address, entry),
      }));
      return {
        edges,
        pageInfo: {
          hasNextPage: Boolean(body['next-token']),
          endCursor: edges.length ? edges[edges.length - 1].cursor : null,
        },
      };
    },
  },
};

const server = new ApolloServer({ typeDefs, resolvers });
const { url } = await startStandaloneServer(server, {
  listen: { host: '127.0.0.1', port: Number(process.env.PORT) },
  context: async () => ({ dataSources: { algod: new Algod() } }),
});
console.log(`READY ${url}`);
