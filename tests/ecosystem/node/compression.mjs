// Opens GraphiQL in headless Chromium and, from that page, fetches a large query's answer: what
// the server sent compressed, Chromium must decode (the page works, the JSON parses).
//
//   node compression.mjs GRAPHQL_URL QUERY VARIABLES_JSON [ACCEPT_ENCODING]
//
// ACCEPT_ENCODING, when given, replaces what Chromium asks for (to try gzip alone). Prints one
// JSON line: each response's URL, status and Content-Encoding; the resource timing entries
// (bytes on the wire and decoded) of the page's files and of the fetch; and what the fetch read.
import { openPage, withChromium } from "./chromium.mjs";

const [url, query, variables, acceptEncoding] = process.argv.slice(2);

const report = await withChromium(async (context, foreign) => {
  if (acceptEncoding) await context.setExtraHTTPHeaders({ "Accept-Encoding": acceptEncoding });
  const { page, problems } = await openPage(context);
  const responses = [];
  page.on("response", async (response) =>
    responses.push({
      url: response.url(),
      status: response.status(),
      encoding: (await response.headerValue("content-encoding")) ?? null,
    }),
  );
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector(".graphiql-query-editor .CodeMirror", { timeout: 60000 });
  const fetched = await page.evaluate(
    async ([endpoint, text, vars]) => {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ query: text, variables: JSON.parse(vars) }),
      });
      const body = await response.json();
      return { status: response.status, body };
    },
    [url, query, variables],
  );
  const timing = await page.evaluate(() =>
    performance
      .getEntriesByType("navigation")
      .concat(performance.getEntriesByType("resource"))
      .map((entry) => ({
        url: entry.name,
        transferSize: entry.transferSize,
        encodedBodySize: entry.encodedBodySize,
        decodedBodySize: entry.decodedBodySize,
      })),
  );
  return { responses, timing, fetched, foreign, problems };
});
process.stdout.write(JSON.stringify(report) + "\n");
