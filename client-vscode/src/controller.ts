/**
 * The extension's life cycle: find Python, start, restart and stop the server, keep the
 * status bar current, and run the commands that need the server.
 *
 * Starts and stops are serialised on one promise chain, so a burst of restarts (setting
 * changes, trust granted, key set) never runs two servers at once.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { State, type LanguageClient } from "vscode-languageclient/node";
import { SERVER_COMMANDS } from "./commands";
import { debounce } from "./debounce";
import { buildLaunch, chooseServerSource, describeLaunch, parseBundleInfo } from "./launch";
import { chooseInterpreter, execProbe, interpreterCandidates } from "./python";
import { createClient, executeServerCommand, pushSettings } from "./server";
import { forwardSettings, needsRestart, serverKeys, type ManifestLike } from "./settings";
import { statusView, type Status } from "./status";
import * as api from "./vscodeapi";

export const SECRET_KEY = "nudge.anthropicApiKey";

/** The secret storage calls the controller uses. */
export interface Secrets {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
}

/** The manifest fields the controller reads. */
export interface Manifest extends ManifestLike {
  contributes?: ManifestLike["contributes"] & { commands?: { command: string; title: string }[] };
}

/** Owns the language client and the status bar item. */
export class Controller {
  private client: LanguageClient | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly keys: string[];
  private readonly languages: string[];
  readonly restartSoon: () => void;

  constructor(
    private readonly extensionRoot: string,
    manifest: Manifest,
    private readonly secrets: Secrets,
    readonly log: api.LogChannel,
    private readonly status: api.StatusItem,
    private readonly offlineChosen: () => boolean = () => false,
  ) {
    this.keys = serverKeys(manifest);
    this.languages = declaredLanguages(manifest);
    this.restartSoon = debounce(() => void this.restart(), 300);
  }

  /** Forwarded settings for a resource. */
  settingsFor(scopeUri?: string): Record<string, unknown> {
    return forwardSettings(this.keys, (key) => api.readSetting(key, scopeUri));
  }

  /** React to a settings change: restart for client keys, push the section otherwise. */
  settingsChanged(changed: (key: string) => boolean): void {
    if (needsRestart(changed)) {
      this.restartSoon();
    } else if (this.client?.isRunning()) {
      pushSettings(this.client, this.settingsFor()).catch((error: unknown) => this.log.error(String(error)));
    }
  }

  /** Stop any running server and start a fresh one. */
  restart(): Promise<void> {
    this.queue = this.queue.then(async () => {
      await this.stopNow();
      await this.startNow();
    });
    return this.queue;
  }

  /** Stop the server. */
  stop(): Promise<void> {
    this.queue = this.queue.then(() => this.stopNow());
    return this.queue;
  }

  private show(status: Status): void {
    const view = statusView(status);
    this.status.show(view.text, view.tooltip, view.tone);
  }

  private fail(message: string): void {
    this.log.error(message);
    this.show({ state: "error", count: 0, message });
    void api.showError(`Nudge: ${message}`, "Open Settings", "Show Log").then((choice) => {
      if (choice === "Open Settings") {
        void api.openSettings("nudge.pythonPath");
      } else if (choice === "Show Log") {
        this.log.show();
      }
    });
  }

  private async startNow(): Promise<void> {
    if (api.clientSetting<boolean>("enable") === false) {
      this.show({ state: "off", count: 0, message: "Turned off by the nudge.enable setting." });
      return;
    }
    this.show({ state: "starting", count: 0, message: "" });
    const candidates = interpreterCandidates(
      api.clientSetting<string>("pythonPath"),
      await api.pythonExtensionInterpreter(),
      process.platform,
    );
    const choice = await chooseInterpreter(candidates, execProbe(this.extensionRoot));
    if (!choice.ok) {
      return this.fail(choice.message);
    }
    const python = choice.command.join(" ");
    this.log.info(`Python ${choice.probe.version.join(".")} from ${choice.source}: ${python}`);
    const bundled = path.join(this.extensionRoot, "bundled");
    const bundleFile = path.join(bundled, "bundle.json");
    const bundle = parseBundleInfo(existsSync(bundleFile) ? readFileSync(bundleFile, "utf-8") : undefined);
    const source = chooseServerSource(bundle, path.join(bundled, "libs"), choice.probe, python);
    if (!source.ok) {
      return this.fail(source.message);
    }
    const trusted = api.isTrusted();
    const plan = buildLaunch({
      python: choice.command,
      libsDir: source.libsDir,
      baseEnv: process.env,
      apiKey: trusted ? await this.secrets.get(SECRET_KEY) : undefined,
      trusted,
      settings: this.settingsFor(),
      cwd: this.extensionRoot,
      offline: this.offlineChosen(),
    });
    this.log.info(`starting ${describeLaunch(plan)}`);
    const client = createClient(plan, this.languages, {
      log: this.log,
      settingsFor: (scopeUri) => this.settingsFor(scopeUri),
      onStatus: (status) => this.show(status),
    });
    this.client = client;
    client.onDidChangeState((event) => {
      if (event.newState === State.Stopped && this.client === client) {
        this.show({ state: "error", count: 0, message: "The Nudge server stopped; see the log, then restart it." });
      }
    });
    try {
      await client.start();
    } catch (error) {
      this.client = undefined;
      this.fail(`the server did not start: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async stopNow(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(3000);
      } catch (error) {
        this.log.warn(`stopping the server: ${String(error)}`);
      }
    }
  }

  /** Run a server command; tell the user when no server is running. */
  async serverCommand(command: string, args: unknown[] = []): Promise<unknown> {
    if (!this.client?.isRunning()) {
      void api.showError("Nudge: the server is not running. See the log, or restart it.", "Show Log").then(
        (choice) => choice && this.log.show(),
      );
      return undefined;
    }
    return executeServerCommand(this.client, command, args);
  }

  /** Ask the server to review a document now. */
  reviewDocument(uri: string): Promise<unknown> {
    return this.serverCommand(SERVER_COMMANDS.reviewDocument, [uri]);
  }
}

/** The language ids the manifest lets `nudge.languages` take. */
export function declaredLanguages(manifest: ManifestLike): string[] {
  const configuration = manifest.contributes?.configuration;
  const blocks = Array.isArray(configuration) ? configuration : configuration ? [configuration] : [];
  for (const block of blocks) {
    const schema = block.properties?.["nudge.languages"] as { items?: { enum?: string[] } } | undefined;
    if (schema?.items?.enum) {
      return schema.items.enum;
    }
  }
  return [];
}
