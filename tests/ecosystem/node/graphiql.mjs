// Opens GraphiQL in headless Debian Chromium (driven by playwright-core, no downloaded browser),
// runs the query GraphiQL opens with, and reports what the page rendered.
//
//   node graphiql.mjs GRAPHQL_URL SCREENSHOT_PNG
//
// Prints one JSON line: the default query, the result pane's text, and every URL the page asked
// for outside the server's origin (there must be none: no CDN). Saves a screenshot.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { chromium } from "playwright-core";

const [url, screenshot] = process.argv.slice(2);
const origin = new URL(url).origin;
const userDataDir = mkdtempSync(join(tmpdir(), "graphiql-chromium-"));
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: FLAGS,
  viewport: { width: 1400, height: 900 },
});
const foreign = [];
const problems = [];
try {
  // Nothing may leave the machine: a request elsewhere is recorded and refused.
  await context.route("**/*", (route) => {
    const requested = route.request().url();
    if (requested.startsWith(origin) || requested.startsWith("data:")) return route.continue();
    foreign.push(requested);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => problems.push(String(error)));
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector(".graphiql-query-editor .CodeMirror", { timeout: 60000 });
  const editorValue = (selector) =>
    page.evaluate((s) => document.querySelector(s)?.CodeMirror?.getValue() ?? null, selector);
  const query = await editorValue(".graphiql-query-editor .CodeMirror");
  await page.click(".graphiql-execute-button");
  await page.waitForFunction(
    () => {
      const value = document.querySelector(".result-window .CodeMirror")?.CodeMirror?.getValue();
      return value && value.includes('"data"');
    },
    null,
    { timeout: 60000 },
  );
  const result = await editorValue(".result-window .CodeMirror");
  await page.screenshot({ path: screenshot });
  process.stdout.write(JSON.stringify({ query, result, foreign, problems }) + "\n");
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
