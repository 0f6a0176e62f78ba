"""The peers the bench runs beside the graph: their code and setup, and the exactness count.

`apollo.mjs` (Apollo Server 5 + @apollo/datasource-rest) and `compose.config.ts` (GraphQL Mesh
v1, served by Hive Gateway) run on Node with the packages of `package-lock.json`
(`scripts/install-bench`); `naive_strawberry` runs on the project's Python. `algod_spec` trims
the official algod spec that Mesh composes, `setup` composes it for a run's sandbox, and
`exactness` counts the raw amounts each one answers exactly.
"""

__all__: list[str] = []
