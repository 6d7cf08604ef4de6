/**
 * Starting the Nudge language server and talking to it.
 *
 * Given a `LaunchPlan` (built by `launch.ts`), this creates the language client over
 * stdio, answers the server's `workspace/configuration` requests with the forwarded
 * `nudge` section, relays `nudge/status` notifications and runs server commands.
 */
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { commandsForClient } from "./commands";
import type { LaunchPlan } from "./launch";
import { SECTION } from "./settings";
import { parseStatus, STATUS_NOTIFICATION, type Status } from "./status";
import type { LogChannel } from "./vscodeapi";

/** What the server needs from the rest of the extension. */
export interface ServerHooks {
  log: LogChannel;
  /** The forwarded `nudge` section for a resource (or the workspace when undefined). */
  settingsFor(scopeUri?: string): Record<string, unknown>;
  onStatus(status: Status): void;
}

/** Return the document selector for the languages Nudge can check. */
export function documentSelector(languages: readonly string[]): { scheme: string; language: string }[] {
  return languages.flatMap((language) => [
    { scheme: "file", language },
    { scheme: "untitled", language },
  ]);
}

/** Create the language client for a launch plan; call `start()` on it next. */
export function createClient(plan: LaunchPlan, languages: readonly string[], hooks: ServerHooks): LanguageClient {
  const serverOptions: ServerOptions = {
    command: plan.command,
    args: plan.args,
    transport: TransportKind.stdio,
    options: { cwd: plan.cwd, env: plan.env },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(languages),
    outputChannel: hooks.log,
    initializationOptions: plan.initializationOptions,
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) {
            return answers;
          }
          return params.items.map((item, index) =>
            item.section === SECTION ? hooks.settingsFor(item.scopeUri) : answers[index],
          );
        },
      },
    },
  };
  const client = new LanguageClient("nudge", "Nudge", serverOptions, clientOptions);
  keepOwnCommands(client);
  client.onNotification(STATUS_NOTIFICATION, (params: unknown) => {
    const status = parseStatus(params);
    if (status) {
      hooks.onStatus(status);
    } else {
      hooks.log.warn(`ignored a malformed ${STATUS_NOTIFICATION} notification`);
    }
  });
  return client;
}

/**
 * Stop the client from registering VS Code commands the extension already registers.
 *
 * The language client turns every server command into a VS Code command of the same id;
 * for `nudge.reviewDocument` and friends that id is taken by the extension's own palette
 * entry (which adds the active document), and a second registration would fail.
 */
function keepOwnCommands(client: LanguageClient): void {
  const feature = client.getFeature(ExecuteCommandRequest.method);
  const register = feature.register.bind(feature);
  feature.register = (data) =>
    register({
      ...data,
      registerOptions: { ...data.registerOptions, commands: commandsForClient(data.registerOptions.commands) },
    });
}

/** Run a server command and return its result. */
export function executeServerCommand(client: LanguageClient, command: string, args: unknown[] = []): Promise<unknown> {
  return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
}

/** Push changed settings to the server. */
export function pushSettings(client: LanguageClient, settings: Record<string, unknown>): Promise<void> {
  return client.sendNotification(DidChangeConfigurationNotification.type, { settings: { [SECTION]: settings } });
}
