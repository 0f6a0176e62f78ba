// Runs a query with headers in GraphiQL, as a user would (the Headers tab, then the run button),
// then reads back everything the browser keeps for the page: every key of localStorage and
// sessionStorage, and Playwright's storage state (cookies, localStorage, IndexedDB); again after a
// reload.
//
//   node graphiql-storage.mjs GRAPHQL_URL QUERY HEADERS_JSON
//
// Prints one JSON line: the result pane's text, and what each store held.
import { openPage, withChromium } from "./chromium.mjs";

const [url, query, headers] = process.argv.slice(2);
const QUERY_EDITOR = ".graphiql-query-editor .CodeMirror";
const RESULT = ".result-window .CodeMirror";

const editor = (page, selector) =>
  page.evaluate((s) => document.querySelector(s)?.CodeMirror?.getValue() ?? null, selector);

const stores = (page) =>
  page.evaluate(() => {
    const dump = (storage) =>
      Object.fromEntries(Object.keys(storage).map((key) => [key, storage.getItem(key)]));
    return { local: dump(window.localStorage), session: dump(window.sessionStorage) };
  });

const report = await withChromium(async (context, foreign) => {
  const { page, problems } = await openPage(context);
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector(QUERY_EDITOR, { timeout: 60000 });
  await page.evaluate(
    ([selector, text]) => document.querySelector(selector).CodeMirror.setValue(text),
    [QUERY_EDITOR, query],
  );
  await page.getByRole("button", { name: "Headers" }).click();
  const headersEditor = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror";
  await page.waitForSelector(headersEditor, { timeout: 60000 });
  await page.evaluate(
    ([selector, text]) => document.querySelector(selector).CodeMirror.setValue(text),
    [headersEditor, headers],
  );
  await page.click(".graphiql-execute-button");
  await page.waitForFunction(
    (selector) => document.querySelector(selector)?.CodeMirror?.getValue()?.includes('"data"'),
    RESULT,
    { timeout: 60000 },
  );
  const result = await editor(page, RESULT);
  // GraphiQL saves its tabs a moment after a change (debounced): wait until both the history and
  // the tabs hold the query, so what is read is what GraphiQL keeps.
  await page.waitForFunction(
    (text) =>
      ["graphiql:queries", "graphiql:tabState"].every((key) =>
        (window.localStorage.getItem(key) ?? "").includes(text),
      ),
    JSON.stringify(query).slice(1, -1),
    { timeout: 60000 },
  );
  const afterRun = await stores(page);
  const state = await context.storageState({ indexedDB: true });
  await page.reload({ waitUntil: "load" });
  await page.waitForSelector(QUERY_EDITOR, { timeout: 60000 });
  await page.getByRole("button", { name: "Headers" }).click();
  await page.waitForSelector(headersEditor, { timeout: 60000 });
  const headersAfterReload = await editor(page, headersEditor);
  const afterReload = await stores(page);
  return { result, afterRun, state, afterReload, headersAfterReload, foreign, problems };
});
process.stdout.write(JSON.stringify(report) + "\n");
