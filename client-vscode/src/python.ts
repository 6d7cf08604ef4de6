/**
 * Choosing the Python interpreter that runs the Nudge server.
 *
 * The order is: the `nudge.pythonPath` setting, else the Python extension's active
 * interpreter, else `python3` (`python` on Windows). Each candidate is probed once for
 * its version and for an installed `nudge` package; the first that is recent enough
 * wins. An explicit `nudge.pythonPath` is never silently skipped: if it is unusable,
 * the user is told why. This module does not import `vscode`, so it is unit-tested.
 */
import { execFile } from "node:child_process";

export const MIN_PYTHON: readonly [number, number] = [3, 10];

/** Where an interpreter candidate came from, in the words shown to the user. */
export type InterpreterSource = "nudge.pythonPath" | "Python extension" | "default";

/** A command that starts Python, e.g. `["/usr/bin/python3"]` or `["py", "-3"]`. */
export interface InterpreterCandidate {
  command: string[];
  source: InterpreterSource;
}

/** What probing an interpreter found out. */
export interface ProbeResult {
  version: [number, number];
  nudgeInstalled: boolean;
}

/** Runs the probe script with one interpreter; resolves to stdout or rejects. */
export type ProbeRunner = (command: string[], args: string[]) => Promise<string>;

/** A usable interpreter, or a message that tells the user how to fix things. */
export type InterpreterChoice =
  | { ok: true; command: string[]; source: InterpreterSource; probe: ProbeResult }
  | { ok: false; message: string };

/** The arguments that make Python print its version and whether `nudge` imports. */
export const PROBE_ARGS: readonly string[] = [
  "-c",
  "import sys, importlib.util; print(tuple(sys.version_info[:2]), importlib.util.find_spec('nudge') is not None)",
];

/** Return the interpreters to try, most specific first. */
export function interpreterCandidates(
  setting: string | undefined,
  fromPythonExtension: string[] | undefined,
  platform: string,
): InterpreterCandidate[] {
  const explicit = setting?.trim();
  if (explicit) {
    return [{ command: [explicit], source: "nudge.pythonPath" }];
  }
  const out: InterpreterCandidate[] = [];
  if (fromPythonExtension && fromPythonExtension.length > 0 && fromPythonExtension[0]) {
    out.push({ command: fromPythonExtension, source: "Python extension" });
  }
  out.push({ command: [platform === "win32" ? "python" : "python3"], source: "default" });
  return out;
}

/** Parse the probe's output, e.g. `(3, 11) True`; return undefined if it is not that. */
export function parseProbe(stdout: string): ProbeResult | undefined {
  const match = /\((\d+),\s*(\d+)\)\s+(True|False)/.exec(stdout);
  if (!match) {
    return undefined;
  }
  return { version: [Number(match[1]), Number(match[2])], nudgeInstalled: match[3] === "True" };
}

/** Tell whether a Python version is recent enough for the server. */
export function isSupported(version: readonly [number, number]): boolean {
  const [major, minor] = version;
  return major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1]);
}

const FIX =
  `Nudge needs Python ${MIN_PYTHON.join(".")} or newer. Install it, then set "nudge.pythonPath" ` +
  "to its full path (or select it with the Python extension) and run “Nudge: Restart Server”.";

/** Probe the candidates in order and return the first usable one, or why none is. */
export async function chooseInterpreter(
  candidates: InterpreterCandidate[],
  run: ProbeRunner,
): Promise<InterpreterChoice> {
  const problems: string[] = [];
  for (const candidate of candidates) {
    const shown = `${candidate.command.join(" ")} (${candidate.source})`;
    let probe: ProbeResult | undefined;
    try {
      probe = parseProbe(await run(candidate.command, [...PROBE_ARGS]));
    } catch (error) {
      problems.push(`${shown} could not be run: ${errorText(error)}`);
      continue;
    }
    if (!probe) {
      problems.push(`${shown} did not report a Python version`);
    } else if (!isSupported(probe.version)) {
      problems.push(`${shown} is Python ${probe.version.join(".")}`);
    } else {
      return { ok: true, command: candidate.command, source: candidate.source, probe };
    }
    if (candidate.source === "nudge.pythonPath") {
      break;
    }
  }
  return { ok: false, message: `${FIX} Tried: ${problems.join("; ")}.` };
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "not found" : error.message.split("\n")[0];
  }
  return String(error);
}

/** Run a probe with `child_process.execFile`, never through a shell. */
export function execProbe(cwd: string, timeoutMs = 15000): ProbeRunner {
  return (command, args) =>
    new Promise((resolve, reject) => {
      execFile(
        command[0],
        [...command.slice(1), ...args],
        { cwd, timeout: timeoutMs, windowsHide: true },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
    });
}
