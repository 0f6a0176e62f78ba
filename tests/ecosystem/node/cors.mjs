// Opens pages served from other origins than the graph's, each of which calls the graph with
// fetch() (see tests/ecosystem/test_browser_cors.py for the page), and reports what each showed.
//
//   node cors.mjs PAGE_URL...
//
// Prints one JSON line: for each page, its origin, the outcome the page wrote ("data" with the
// status, body and X-Request-Id it read, or "refused" with the error fetch threw) and the
// console messages Chromium wrote (where it says why it blocked a call).
import { openPage, withChromium } from "./chromium.mjs";

const pages = process.argv.slice(2);
const report = await withChromium(async (context, foreign) => {
  const shown = [];
  for (const url of pages) {
    const { page, problems, console } = await openPage(context);
    await page.goto(url, { waitUntil: "load" });
    const result = await page.waitForSelector("#result[data-outcome]", { timeout: 60000 });
    shown.push({
      url,
      origin: await page.evaluate(() => window.location.origin),
      outcome: await result.getAttribute("data-outcome"),
      text: await result.textContent(),
      console,
      problems,
    });
    await page.close();
  }
  return { pages: shown, foreign };
});
process.stdout.write(JSON.stringify(report) + "\n");
