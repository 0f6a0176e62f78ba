// GraphQL Mesh v1 composition of algod's official OpenAPI document, trimmed by
// bench/peers/algod_spec.py to the route S1 reads. The supergraph embeds the endpoint and the
// token, so bench/peers/setup.py composes it again for every sandbox a run starts:
//   ALGOD_SPEC=build/algod.int64.json ALGOD_URL=... ALGOD_TOKEN=... \
//     mesh-compose -c compose.config.ts -o build/supergraph.int64.graphql
// Not named mesh.config.ts: Hive Gateway, started in this folder, would load that as its own.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('algod', {
        source: required('ALGOD_SPEC'),
        endpoint: required('ALGOD_URL'),
        operationHeaders: { 'X-Algo-API-Token': required('ALGOD_TOKEN') },
      }),
    },
  ],
});
