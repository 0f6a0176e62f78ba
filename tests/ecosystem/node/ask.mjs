// How a Node tool asks its test for something only the test does (the sandboxes' control API
// has one client, tests/sandbox_control.py): it prints `ASK {json}` and reads the answer, one
// JSON line, from stdin (`run_asking` in tests/ecosystem/node_tools.py answers).
import { createInterface } from "node:readline";

const input = createInterface({ input: process.stdin });
const answers = input[Symbol.asyncIterator]();

export async function ask(question) {
  process.stdout.write(`ASK ${JSON.stringify(question)}\n`);
  const { value, done } = await answers.next();
  if (done) throw new Error(`no answer to ${JSON.stringify(question)}: stdin closed`);
  return JSON.parse(value);
}

// Stop listening, so the tool can end when its work is done.
export function doneAsking() {
  input.close();
  process.stdin.destroy();
}
