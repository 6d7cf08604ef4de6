/**
 * Start the server exactly as the extension does (same `buildLaunch`) and speak LSP to it.
 *
 * Python: $NUDGE_TEST_PYTHON, else the repository's .venv, else python3. When that Python
 * cannot import `nudge` by itself, the repository's server sources go on PYTHONPATH the
 * way the bundled libraries do in a packaged extension. The suite is skipped, with the
 * reason, when the server cannot be imported at all. The workspace is untrusted, so the
 * server never gets an API key and runs the offline critic only.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import {
  CodeActionRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeAction,
  type Command,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextEdit,
} from "vscode-languageserver-protocol/node";
import { API_KEY_ENV, buildLaunch, type LaunchPlan } from "../src/launch";
import { parseStatus, STATUS_NOTIFICATION, type Status } from "../src/status";
import { CLIENT_ROOT, runPython, SERVER_SRC, testPython } from "./helpers";

const WAIT_MS = 20000;
const python = testPython();

/**
 * Return the PYTHONPATH the server needs (undefined for none), or why the suite must skip.
 *
 * With NUDGE_TEST_BUNDLED=1 the server comes from the packaged libraries in bundled/libs
 * (run `npm run package` first), exactly as in an installed .vsix.
 */
function serverPath(): { libsDir?: string; skip?: string } {
  const probe = "import importlib.util as u; assert u.find_spec('nudge.__main__') and u.find_spec('pygls')";
  const bundled = process.env.NUDGE_TEST_BUNDLED ? [path.join(CLIENT_ROOT, "bundled", "libs")] : undefined;
  for (const libsDir of bundled ?? [undefined, SERVER_SRC]) {
    try {
      runPython(python, probe, libsDir ?? "");
      return { libsDir };
    } catch {
      // try the next way
    }
  }
  if (bundled) {
    throw new Error(`NUDGE_TEST_BUNDLED is set but ${bundled[0]} does not hold a server ${python} can import`);
  }
  return { skip: `${python} cannot import the nudge server (python -m nudge) or pygls; pip install the repo first` };
}

const found = serverPath();
if (found.skip) {
  console.log(`# integration test skipped: ${found.skip}`);
}

const TEXT = "# Notes\n\n😀 In order to win, we must think outside the box.\n";
const LINE = 2;

/** Wait for the first notification that passes `accept`; fail after WAIT_MS. */
class Waiters<T> {
  private waiting: { accept: (value: T) => boolean; resolve: (value: T) => void }[] = [];
  readonly seen: T[] = [];

  push(value: T): void {
    this.seen.push(value);
    this.waiting = this.waiting.filter((w) => !(w.accept(value) && (w.resolve(value), true)));
  }

  next(what: string, accept: (value: T) => boolean, stderr: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${what} within ${WAIT_MS} ms; server stderr:\n${stderr()}`)),
        WAIT_MS,
      );
      this.waiting.push({
        accept,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
      });
    });
  }
}

function rangeText(text: string, diagnostic: Diagnostic): string {
  const { start, end } = diagnostic.range;
  assert.equal(start.line, end.line, "a finding stays on one line here");
  return text.split("\n")[start.line].slice(start.character, end.character);
}

describe("integration: the server as the extension starts it", { skip: found.skip }, () => {
  let plan: LaunchPlan;
  let child: ChildProcess;
  let connection: ProtocolConnection;
  let stderr = "";
  let workspace: string;
  let initialized: InitializeResult;
  const diagnostics = new Waiters<PublishDiagnosticsParams>();
  const statuses = new Waiters<Status>();
  const read = (): string => stderr;

  before(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), "nudge-client-"));
    plan = buildLaunch({
      python: [python],
      libsDir: found.libsDir,
      baseEnv: { ...process.env, [API_KEY_ENV]: "sk-must-not-be-passed" },
      trusted: false,
      settings: {},
      cwd: CLIENT_ROOT,
    });
    assert.equal(plan.env[API_KEY_ENV], undefined);
    child = spawn(plan.command, plan.args, { cwd: plan.cwd, env: plan.env, stdio: "pipe" });
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    connection = createProtocolConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => diagnostics.push(params));
    connection.onNotification(STATUS_NOTIFICATION, (params: unknown) => {
      const status = parseStatus(params);
      assert.ok(status, `malformed ${STATUS_NOTIFICATION}: ${JSON.stringify(params)}`);
      statuses.push(status);
    });
    connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => plan.initializationOptions.settings));
    connection.onRequest("client/registerCapability", () => null);
    connection.onRequest("window/workDoneProgress/create", () => null);
    connection.onNotification("window/showMessage", () => undefined);
    connection.onNotification("window/logMessage", () => undefined);
    connection.listen();
    initialized = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(workspace).toString(),
      workspaceFolders: [{ uri: pathToFileURL(workspace).toString(), name: "w" }],
      capabilities: {
        general: { positionEncodings: ["utf-16"] },
        workspace: { configuration: true, workspaceEdit: { documentChanges: true } },
        textDocument: {
          publishDiagnostics: { versionSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix"] } } },
        },
      },
      initializationOptions: plan.initializationOptions,
    });
    await connection.sendNotification(InitializedNotification.type, {});
  });

  after(async () => {
    if (connection) {
      try {
        await connection.sendRequest(ShutdownRequest.type);
        await connection.sendNotification(ExitNotification.type);
      } catch {
        // the process may be gone already
      }
    }
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      const timer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(timer);
    }
    connection?.dispose();
    rmSync(workspace, { recursive: true, force: true });
  });

  const uri = (): string => pathToFileURL(path.join(workspace, "notes.md")).toString();

  it("negotiates UTF-16 positions", () => {
    const encoding = initialized.capabilities.positionEncoding;
    assert.ok(encoding === undefined || encoding === "utf-16", `got ${encoding}`);
  });

  it("publishes diagnostics with exact UTF-16 ranges and a working quick fix", async () => {
    const published = diagnostics.next("diagnostics for notes.md", (p) => p.uri === uri() && p.diagnostics.length > 0, read);
    await connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: uri(), languageId: "markdown", version: 1, text: TEXT },
    });
    const params = await published;
    for (const diagnostic of params.diagnostics) {
      assert.equal(diagnostic.source, "nudge");
      assert.equal(diagnostic.range.start.line, LINE);
      const quoted = rangeText(TEXT, diagnostic);
      assert.equal(quoted, quoted.trim(), `range ${JSON.stringify(diagnostic.range)} has stray spaces`);
      assert.ok(quoted.length > 0);
    }
    const lineText = TEXT.split("\n")[LINE];
    const quotes = params.diagnostics.map((d) => rangeText(TEXT, d));
    for (const phrase of ["think outside the box", "In order to"]) {
      const diagnostic = params.diagnostics.find((d) => rangeText(TEXT, d) === phrase);
      assert.ok(diagnostic, `no diagnostic on exactly "${phrase}" in ${JSON.stringify(quotes)}`);
      // The emoji before the phrase is two UTF-16 code units: code-point offsets would be one short.
      assert.equal(diagnostic.range.start.character, lineText.indexOf(phrase));
    }

    // Every diagnostic offers dismiss and ignore; those with a rewrite replace exactly their range.
    let fixedOne: { diagnostic: Diagnostic; edit: TextEdit } | undefined;
    for (const diagnostic of params.diagnostics) {
      const actions = (await connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri: uri() },
        range: diagnostic.range,
        context: { diagnostics: [diagnostic] },
      })) as (CodeAction | Command)[] | null;
      assert.ok(actions && actions.length > 0, `no code actions for ${rangeText(TEXT, diagnostic)}`);
      const commands = actions.map((a) => (typeof a.command === "string" ? a.command : a.command?.command));
      assert.ok(commands.includes("nudge.dismiss"), `no dismiss action in ${JSON.stringify(commands)}`);
      assert.ok(commands.includes("nudge.ignorePhrase"), `no ignore-phrase action in ${JSON.stringify(commands)}`);
      const edits = actions
        .filter((a): a is CodeAction => "kind" in a && a.kind === "quickfix" && a.edit !== undefined)
        .flatMap((fix) => [
          ...(fix.edit?.changes?.[uri()] ?? []),
          ...(fix.edit?.documentChanges ?? []).flatMap((change) =>
            "textDocument" in change && change.textDocument.uri === uri() ? change.edits : [],
          ),
        ]) as TextEdit[];
      for (const edit of edits) {
        assert.deepEqual(edit.range, diagnostic.range, `a fix for "${rangeText(TEXT, diagnostic)}" edits outside it`);
        fixedOne ??= { diagnostic, edit };
      }
    }
    assert.ok(fixedOne, `no quick fix with a WorkspaceEdit for any of ${JSON.stringify(quotes)}`);

    // Apply the fix as VS Code would; that diagnostic goes away.
    const { diagnostic, edit } = fixedOne;
    const replaced = rangeText(TEXT, diagnostic);
    const fixed = lineText.slice(0, diagnostic.range.start.character) + edit.newText + lineText.slice(diagnostic.range.end.character);
    const newText = TEXT.split("\n").map((line, i) => (i === LINE ? fixed : line)).join("\n");
    const republished = diagnostics.next(
      "diagnostics after the fix",
      (p) => p.uri === uri() && p.version === 2 && !p.diagnostics.some((d) => rangeText(newText, d) === replaced),
      read,
    );
    await connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: uri(), version: 2 },
      contentChanges: [{ text: newText }],
    });
    await republished;
  });

  it("reports an offline status: no key in an untrusted workspace", async () => {
    const status = statuses.seen.find((s) => s.state === "offline") ?? (await statuses.next("offline status", (s) => s.state === "offline", read));
    assert.equal(status.state, "offline");
  });

  it("answers the commands the extension calls", async () => {
    const usage = await connection.sendRequest(ExecuteCommandRequest.type, { command: "nudge.usage", arguments: [] });
    assert.equal(typeof usage, "object");
    assert.ok(usage !== null && !Array.isArray(usage));
    await connection.sendRequest(ExecuteCommandRequest.type, { command: "nudge.reviewDocument", arguments: [uri()] });
    await connection.sendRequest(ExecuteCommandRequest.type, { command: "nudge.clearDismissals", arguments: [] });
    const names = initialized.capabilities.executeCommandProvider?.commands ?? [];
    for (const command of ["nudge.dismiss", "nudge.ignorePhrase", "nudge.usage", "nudge.reviewDocument", "nudge.clearDismissals"]) {
      assert.ok(names.includes(command), `server does not list ${command}`);
    }
  });
});
