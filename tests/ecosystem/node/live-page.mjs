// A page in headless Debian Chromium (playwright-core, no downloaded browser) that shows a live
// amount with a plain EventSource: GET /graphql?query=subscription… (graphql-sse's distinct
// connections mode, as a browser sends it). The page is served at the server's own origin by a
// route of this script; the script asks its test to change the amount on the algod sandbox
// (`ask.mjs`) and waits for the page to show the new one, without a reload.
//
//   node live-page.mjs '{"url": "http://127.0.0.1:P/graphql", "address": "...",
//                        "screenshot": "test-output/live-page.png"}'
//
// Prints one JSON line: the amounts the page showed, how many documents it loaded, the delay.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { chromium } from "playwright-core";

import { ask, doneAsking } from "./ask.mjs";

const config = JSON.parse(process.argv[2]);
const origin = new URL(config.url).origin;
const pageUrl = `${origin}/live-demo.html`;
const USDC = "31566704";
const QUERY = `subscription($account: AccountRef!) { holdingsChanged(account: $account) {
  initial round added { amount asset { caip19 } } changed { amount holding { asset { caip19 } } } } }`;
const HTML = `<!doctype html><html><head><meta charset="utf-8"><title>Live USDC</title>
<style>body{font:24px system-ui;margin:40px} #amount{font-weight:bold}</style></head>
<body><p>USDC of the small account: <span id="amount">…</span></p>
<p>round <span id="round">…</span>, events <span id="events">0</span></p>
<script>
  window.loadedAt = Date.now();
  const params = new URLSearchParams({
    query: ${JSON.stringify(QUERY)},
    variables: JSON.stringify({ account: { source: "ALGORAND", address: ${JSON.stringify(config.address)} } }),
  });
  const source = new EventSource("/graphql?" + params);
  let events = 0;
  source.addEventListener("next", (message) => {
    const event = JSON.parse(message.data).data.holdingsChanged;
    const usdc = (h) => h.caip19?.endsWith("/asa:${USDC}");
    const held = event.added.find((h) => usdc(h.asset)) ??
      event.changed.map((c) => ({ ...c, asset: c.holding.asset })).find((h) => usdc(h.asset));
    if (held) document.getElementById("amount").textContent = held.amount;
    document.getElementById("round").textContent = event.round;
    document.getElementById("events").textContent = String(++events);
  });
</script></body></html>`;

const userDataDir = mkdtempSync(join(tmpdir(), "live-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 900, height: 300 },
});
const problems = [];
try {
  await context.route("**/*", (route) => {
    const requested = route.request().url();
    if (requested === pageUrl) {
      return route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: HTML });
    }
    if (requested.startsWith(origin)) return route.continue();
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => problems.push(String(error)));
  let documents = 0;
  page.on("framenavigated", (frame) => { if (frame === page.mainFrame()) documents += 1; });
  await page.goto(pageUrl, { waitUntil: "load" });
  const shown = () => page.textContent("#amount");
  await page.waitForFunction(() => document.getElementById("events").textContent === "1", null, { timeout: 60000 });
  const before = await shown();
  const loadedAt = await page.evaluate(() => window.loadedAt);
  const changedAt = performance.now();
  await ask({ sandbox: "algod", change: { address: config.address, set: { [USDC]: 424242424242 } } });
  await page.waitForFunction(
    () => document.getElementById("amount").textContent === "424242.424242", null, { timeout: 60000 });
  const delayMs = performance.now() - changedAt;
  const after = await shown();
  const stillLoadedAt = await page.evaluate(() => window.loadedAt);
  await page.screenshot({ path: config.screenshot });
  process.stdout.write(JSON.stringify({
    before, after, documents, sameDocument: loadedAt === stillLoadedAt, delayMs, problems,
  }) + "\n");
} finally {
  doneAsking();
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
