// Write the server's settings into package.json `contributes.configuration`.
// Keeps the client-only keys (nudge.enable, nudge.pythonPath) as they are.
// Usage: npm run sync-settings   (Python: $NUDGE_TEST_PYTHON, the repo .venv, or python3)
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import schema from "../out/tsc/src/settingsSchema.js";
import settings from "../out/tsc/src/settings.js";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = dirname(root);
const venv = join(repo, ".venv", "bin", "python");
const python = process.env.NUDGE_TEST_PYTHON || (existsSync(venv) ? venv : "python3");
const described = JSON.parse(
  execFileSync(python, ["-c", schema.DESCRIBE_SETTINGS_SCRIPT], {
    env: { ...process.env, PYTHONPATH: join(repo, "server") },
    encoding: "utf-8",
  }),
);
const manifestPath = join(root, "package.json");
const manifest = JSON.parse(readFileSync(manifestPath, "utf-8"));
const properties = {};
for (const [name, value] of Object.entries(manifest.contributes.configuration.properties)) {
  if (settings.CLIENT_ONLY_KEYS.has(name.slice("nudge.".length))) {
    properties[name] = value;
  }
}
Object.assign(properties, schema.serverSettingsSchema(described));
manifest.contributes.configuration.properties = properties;
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
console.log(`wrote ${Object.keys(properties).length} settings to ${manifestPath}`);
