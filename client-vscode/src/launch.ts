/**
 * How the Nudge server process is started: command line, environment, working
 * directory and initialization options, all built here and nowhere else.
 *
 * The extension and the integration test both call `buildLaunch`, so the test starts
 * the server exactly as VS Code does. The API key reaches the server only through
 * `ANTHROPIC_API_KEY` in the child's environment, and never in an untrusted workspace.
 * This module does not import `vscode`.
 */
import type { ProbeResult } from "./python";

export const API_KEY_ENV = "ANTHROPIC_API_KEY";

/** What `bundled/bundle.json` says about the Python libraries packed into the extension. */
export interface BundleInfo {
  /** The Python version the compiled wheels were installed for. */
  pythonVersion: [number, number];
  /** The platform tag the wheels were installed for, e.g. `linux-x64`. */
  target: string;
}

/** Everything that decides how the server starts. */
export interface LaunchInput {
  /** The interpreter command, from `chooseInterpreter`. */
  python: string[];
  /** Directory put on PYTHONPATH (the bundled libraries), if any. */
  libsDir?: string;
  /** The environment to start from, normally `process.env`. */
  baseEnv: Readonly<Record<string, string | undefined>>;
  /** Key from secret storage, if the user set one. */
  apiKey?: string;
  /** Whether the workspace is trusted. */
  trusted: boolean;
  /** The forwarded `nudge` settings section (only keys the user set). */
  settings: Record<string, unknown>;
  /** Working directory: the extension's own folder, never the workspace. */
  cwd: string;
  /** The user chose to work without Claude ("Clear API Key"): no hint to set a key. */
  offline?: boolean;
}

/** Initialization options the server reads. */
export interface InitializationOptions {
  settings: Record<string, unknown>;
  trusted: boolean;
  /** Tells the server it runs under this extension, so its hints name our commands. */
  client: "vscode";
  /** Present and true when the user chose to work offline. */
  offline?: true;
}

/** A fully built launch: pass it to the language client or to `child_process.spawn`. */
export interface LaunchPlan {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  initializationOptions: InitializationOptions;
}

/** Arguments after the interpreter that start the language server over stdio. */
export const SERVER_ARGS: readonly string[] = ["-m", "nudge", "lsp"];

/** Build the command line, environment and initialization options for the server. */
export function buildLaunch(input: LaunchInput): LaunchPlan {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.baseEnv)) {
    if (value !== undefined) {
      env[name] = value;
    }
  }
  const inherited = env[API_KEY_ENV];
  delete env[API_KEY_ENV];
  if (input.trusted) {
    const key = input.apiKey?.trim() || inherited;
    if (key) {
      env[API_KEY_ENV] = key;
    }
  }
  if (input.libsDir) {
    env.PYTHONPATH = input.libsDir;
  }
  const [command, ...prefix] = input.python;
  return {
    command,
    args: [...prefix, ...SERVER_ARGS],
    env,
    cwd: input.cwd,
    initializationOptions: {
      settings: input.settings,
      trusted: input.trusted,
      client: "vscode",
      ...(input.offline ? { offline: true as const } : {}),
    },
  };
}

/** Describe a launch for the log: command line and PYTHONPATH, never the environment. */
export function describeLaunch(plan: LaunchPlan): string {
  const key = API_KEY_ENV in plan.env ? "with an API key" : "without an API key";
  const path = plan.env.PYTHONPATH ? `PYTHONPATH=${plan.env.PYTHONPATH} ` : "";
  const trust = plan.initializationOptions.trusted ? "trusted" : "untrusted";
  return `${path}${[plan.command, ...plan.args].join(" ")} (cwd ${plan.cwd}; ${trust}; ${key})`;
}

/** Parse `bundled/bundle.json`; return undefined when it is missing or malformed. */
export function parseBundleInfo(text: string | undefined): BundleInfo | undefined {
  if (!text) {
    return undefined;
  }
  try {
    const data: unknown = JSON.parse(text);
    if (typeof data !== "object" || data === null) {
      return undefined;
    }
    const { pythonVersion, target } = data as Record<string, unknown>;
    if (
      Array.isArray(pythonVersion) &&
      pythonVersion.length === 2 &&
      pythonVersion.every((n) => Number.isInteger(n)) &&
      typeof target === "string"
    ) {
      return { pythonVersion: [pythonVersion[0], pythonVersion[1]], target };
    }
  } catch {
    // fall through: a broken file means no usable bundle
  }
  return undefined;
}

/** Where the server's Python code comes from, or why it cannot be found. */
export type ServerSource = { ok: true; libsDir?: string } | { ok: false; message: string };

/**
 * Decide between the bundled libraries and a `nudge` installed in the interpreter.
 *
 * The bundled wheels include compiled parts built for one Python version, so they are
 * used only with that version; otherwise an installed `nudge` is the fallback.
 */
export function chooseServerSource(
  bundle: BundleInfo | undefined,
  libsDir: string,
  probe: ProbeResult,
  python: string,
): ServerSource {
  const version = probe.version.join(".");
  if (bundle && bundle.pythonVersion.join(".") === version) {
    return { ok: true, libsDir };
  }
  if (probe.nudgeInstalled) {
    return { ok: true };
  }
  if (bundle) {
    const wanted = bundle.pythonVersion.join(".");
    return {
      ok: false,
      message:
        `This Nudge package carries its server for Python ${wanted} (${bundle.target}), but ` +
        `${python} is Python ${version}. Set "nudge.pythonPath" to a Python ${wanted}, or install ` +
        `the server into that interpreter with "${python} -m pip install <nudge source or wheel>".`,
    };
  }
  return {
    ok: false,
    message:
      `This Nudge package has no bundled server and ${python} cannot import "nudge". ` +
      `Install it with "${python} -m pip install <nudge source or wheel>" or set "nudge.pythonPath".`,
  };
}
