/**
 * Loaded (`node --require`) by the test runner and by each test file's process: the first
 * to load it points the state folder (NUDGE_CACHE_DIR), XDG_CACHE_HOME and HOME at fresh
 * temporary folders, which every test and every server a test starts inherits, and fails
 * the run if the real state folder was created or modified meanwhile.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const MARK = "NUDGE_TEST_STATE_ROOT";

/** Return the state folder Nudge would use with no NUDGE_CACHE_DIR. */
export function realStateFolder(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), ".cache");
  return path.join(base, "nudge");
}

/** Return one line per file and folder under `root` (size and mtime), or [] if it is absent. */
export function snapshot(root: string): string[] {
  const rows: string[] = [];
  const walk = (folder: string): void => {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const full = path.join(folder, name);
      try {
        const st = statSync(full);
        rows.push(`${path.relative(root, full)} ${st.size} ${st.mtimeMs}`);
        if (st.isDirectory()) {
          walk(full);
        }
      } catch {
        rows.push(`${path.relative(root, full)} vanished`);
      }
    }
  };
  try {
    rows.push(`. ${statSync(root).isDirectory()}`);
  } catch {
    return [];
  }
  walk(root);
  return rows;
}

if (!process.env[MARK]) {
  const real = realStateFolder();
  const before = snapshot(real).join("\n");
  const root = mkdtempSync(path.join(os.tmpdir(), "nudge-ts-test-"));
  process.env[MARK] = root;
  process.env.NUDGE_CACHE_DIR = path.join(root, "state");
  process.env.XDG_CACHE_HOME = path.join(root, "xdg-cache");
  process.env.HOME = path.join(root, "home");
  process.on("exit", () => {
    rmSync(root, { recursive: true, force: true });
    if (snapshot(real).join("\n") !== before) {
      process.stderr.write(`\nnudge tests: the real state folder ${real} was created or modified\n`);
      process.exitCode = 1;
    }
  });
}
