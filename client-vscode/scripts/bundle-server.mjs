// Bundle the Nudge server and its Python dependencies into bundled/libs, as Microsoft's
// Python tools extension template does: `pip install --target bundled/libs <repo root>`.
// Compiled wheels (pydantic-core, jiter, rapidfuzz) make the result specific to this
// platform and this Python minor version; bundled/bundle.json records both, and the
// extension uses the bundle only with a matching interpreter.
//
// Python: $NUDGE_BUNDLE_PYTHON, else the repository's .venv, else python3.
// Extra pip arguments (e.g. --no-index --find-links DIR for offline builds): $NUDGE_BUNDLE_PIP_ARGS.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { vsceTarget } from "./target.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = dirname(root);
const venv =
  process.platform === "win32" ? join(repo, ".venv", "Scripts", "python.exe") : join(repo, ".venv", "bin", "python");
const python =
  process.env.NUDGE_BUNDLE_PYTHON || (existsSync(venv) ? venv : process.platform === "win32" ? "python" : "python3");

const [major, minor] = JSON.parse(
  execFileSync(python, ["-c", "import sys, json; print(json.dumps(sys.version_info[:2]))"], { encoding: "utf-8" }),
);
if (major < 3 || (major === 3 && minor < 10)) {
  throw new Error(`${python} is Python ${major}.${minor}; bundling needs 3.10 or newer`);
}

const bundled = join(root, "bundled");
const libs = join(bundled, "libs");
rmSync(bundled, { recursive: true, force: true });
mkdirSync(bundled, { recursive: true });
const extra = (process.env.NUDGE_BUNDLE_PIP_ARGS || "").split(/\s+/).filter(Boolean);
const args = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile", "--target", libs, ...extra, repo];
console.log(`bundling: ${python} ${args.join(" ")}`);
execFileSync(python, args, { stdio: "inherit", cwd: repo });

// Console scripts carry this machine's interpreter path; caches are rebuilt on the user's machine.
rmSync(join(libs, "bin"), { recursive: true, force: true });
(function prune(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name === "__pycache__") {
        rmSync(full, { recursive: true, force: true });
      } else {
        prune(full);
      }
    }
  }
})(libs);

const info = { pythonVersion: [major, minor], target: vsceTarget() };
writeFileSync(join(bundled, "bundle.json"), JSON.stringify(info, null, 2) + "\n");
console.log(`bundled the server for Python ${major}.${minor} on ${info.target} into ${libs}`);
