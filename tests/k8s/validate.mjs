// Validate Kubernetes manifests against the API's schemas (kubernetes-models,
// which carries the OpenAPI schemas and checks with ajv): types, required
// fields, enums. Prints one line per document; exits 1 if any is invalid.
//   node validate.mjs FILE...
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

let bad = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(readFileSync(file, "utf8"))) {
    if (!doc) continue;
    const where = `${file}: ${doc.kind} ${doc.metadata?.name ?? "?"}`;
    const group = doc.apiVersion.includes("/") ? doc.apiVersion : `v1`;
    let Model;
    try {
      Model = (await import(`kubernetes-models/${group}/${doc.kind}`))[doc.kind];
    } catch (e) {
      console.log(`invalid: ${where}: no schema for ${doc.apiVersion} ${doc.kind}`);
      bad++;
      continue;
    }
    try {
      new Model(doc).validate();
      console.log(`valid: ${where}`);
    } catch (e) {
      console.log(`invalid: ${where}: ${e.message.split("\n")[0]}`);
      bad++;
    }
  }
}
process.exit(bad ? 1 : 0);
