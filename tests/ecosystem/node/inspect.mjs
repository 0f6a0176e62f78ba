// graphql-inspector's document validation over a schema file, as a CI job would run it.
//
//   node inspect.mjs SCHEMA_FILE DOCUMENTS_JSON
//
// Loads SCHEMA_FILE with graphql-js's `buildSchema` (what graphql-inspector's loaders end in),
// then validates each document of DOCUMENTS_JSON ({"name": "operation text", ...}) against it
// with `validate` from @graphql-inspector/core (the validation behind `graphql-inspector
// validate`). Prints one JSON line: {"loaded": false, "error"} when the schema does not load,
// else {"loaded": true, "invalid": [{"name", "errors", "deprecated"}]} for the documents that
// are not valid.
import { readFileSync } from "node:fs";

import { validate } from "@graphql-inspector/core";
import { buildSchema, Source } from "graphql";

const [schemaFile, documentsFile] = process.argv.slice(2);

let schema;
try {
  schema = buildSchema(readFileSync(schemaFile, "utf8"));
} catch (error) {
  process.stdout.write(JSON.stringify({ loaded: false, error: String(error.message) }) + "\n");
  process.exit(0);
}
const documents = JSON.parse(readFileSync(documentsFile, "utf8"));
const sources = Object.entries(documents).map(([name, text]) => new Source(text, name));
const invalid = validate(schema, sources).map((document) => ({
  name: document.source.name,
  errors: document.errors.map((error) => error.message),
  deprecated: document.deprecated.map((error) => error.message),
}));
process.stdout.write(JSON.stringify({ loaded: true, invalid }) + "\n");
