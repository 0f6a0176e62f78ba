// Headless Debian Chromium, driven by playwright-core (never a browser Playwright downloads), in a
// throw-away profile. Nothing may leave the machine: a request to a host other than 127.0.0.1 or
// localhost is recorded in `foreign` (the machine has no other network to reach). Requests are
// watched, not intercepted: with interception on, Playwright answers CORS preflights itself.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { chromium } from "playwright-core";

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
const LOCAL = /^(https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/|data:)/;

/** Runs `use(context, foreign)` in a fresh Chromium and always closes it. */
export async function withChromium(use) {
  const userDataDir = mkdtempSync(join(tmpdir(), "holdings-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 900 },
  });
  const foreign = [];
  try {
    context.on("request", (request) => {
      if (!LOCAL.test(request.url())) foreign.push(request.url());
    });
    return await use(context, foreign);
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

/** A new page of `context`, with its uncaught errors and console messages recorded. */
export async function openPage(context) {
  const page = await context.newPage();
  const problems = [];
  const console = [];
  page.on("pageerror", (error) => problems.push(String(error)));
  page.on("console", (message) => console.push(`${message.type()}: ${message.text()}`));
  return { page, problems, console };
}
