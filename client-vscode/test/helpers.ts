/** Shared helpers for the tests: where the repository is and which Python to use. */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

/** The client-vscode folder (tests run from out/tsc/test). */
export const CLIENT_ROOT = path.resolve(__dirname, "..", "..", "..");

/** The repository root. */
export const REPO_ROOT = path.resolve(CLIENT_ROOT, "..");

/** The repository's server sources, put on PYTHONPATH when no venv has nudge installed. */
export const SERVER_SRC = path.join(REPO_ROOT, "server");

/** Return the Python to test with: $NUDGE_TEST_PYTHON, else the repo's .venv, else python3. */
export function testPython(): string {
  const fromEnv = process.env.NUDGE_TEST_PYTHON;
  if (fromEnv) {
    return fromEnv;
  }
  const venv =
    process.platform === "win32"
      ? path.join(REPO_ROOT, ".venv", "Scripts", "python.exe")
      : path.join(REPO_ROOT, ".venv", "bin", "python");
  return existsSync(venv) ? venv : process.platform === "win32" ? "python" : "python3";
}

/** Run Python code with the repository's server sources first on the path; return stdout. */
export function runPython(python: string, code: string, pythonPath = SERVER_SRC): string {
  return execFileSync(python, ["-c", code], {
    cwd: CLIENT_ROOT,
    env: { ...process.env, PYTHONPATH: pythonPath },
    encoding: "utf-8",
  });
}
