// Bundle the extension into one CommonJS file, out/extension.js (vscode stays external).
import { build } from "esbuild";

const production = process.env.NODE_ENV !== "development";
await build({
  entryPoints: ["src/extension.ts"],
  outfile: "out/extension.js",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["vscode"],
  minify: production,
  sourcemap: !production,
  logLevel: "warning",
});
