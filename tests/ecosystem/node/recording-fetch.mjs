// Replaces the global `fetch` with one that records every HTTP request a client sends (its
// method, the operations it carried, the answer's status, Cache-Control and error codes), so a
// test sees what went over the wire. Import it before the client runs; read `sent`.
const realFetch = globalThis.fetch;

export const sent = [];

globalThis.fetch = async function recordingFetch(input, init = {}) {
  const response = await realFetch(input, init);
  const text = await response.clone().text();
  const target = new URL(String(input));
  const bodies = init.body
    ? [JSON.parse(init.body)].flat()
    : [
        Object.fromEntries(
          [...target.searchParams].map(([key, value]) => [
            key,
            key === "query" || key === "operationName" ? value : JSON.parse(value),
          ]),
        ),
      ];
  let answer = null;
  try {
    answer = JSON.parse(text);
  } catch {}
  sent.push({
    method: init.method ?? "GET",
    operations: bodies.map((body) => ({
      hasQuery: typeof body.query === "string",
      hash: body.extensions?.persistedQuery?.sha256Hash ?? null,
    })),
    status: response.status,
    cacheControl: response.headers.get("cache-control"),
    codes: [answer ?? []]
      .flat()
      .flatMap((one) => (one?.errors ?? []).map((error) => error.extensions?.code ?? null)),
  });
  return response;
};
