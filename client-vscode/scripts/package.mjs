// Package the extension (already built, server already bundled) into a per-platform .vsix.
// Runs offline: no publisher login, no dependency install (esbuild bundled the JavaScript).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createVSIX } from "@vscode/vsce";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bundle = JSON.parse(readFileSync(join(root, "bundled", "bundle.json"), "utf-8"));
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf-8"));
const out = join(root, `${manifest.name}-${bundle.target}-${manifest.version}.vsix`);
await createVSIX({
  cwd: root,
  packagePath: out,
  target: bundle.target,
  dependencies: false,
  allowMissingRepository: true,
});
console.log(`packaged ${out} (server bundled for Python ${bundle.pythonVersion.join(".")})`);
