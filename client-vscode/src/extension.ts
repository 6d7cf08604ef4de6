/**
 * Entry point: create the controller, register the commands, start the server.
 */
import type * as vscode from "vscode";
import { clearChoices, COMMANDS, menuItems, plural, SERVER_COMMANDS, usageLines, usageReport } from "./commands";
import { Controller, SECRET_KEY, type Manifest } from "./controller";
import * as api from "./vscodeapi";

let controller: Controller | undefined;
const OFFLINE_KEY = "nudge.offline";

/** Activate the extension. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const manifest = context.extension.packageJSON as Manifest;
  const log = api.createLogChannel("Nudge");
  const status = api.createStatusItem(COMMANDS.showMenu);
  // "Clear API Key" is the user choosing to work offline: the server then keeps quiet
  // about setting a key, until "Set Anthropic API Key" is run again.
  const offline = () => context.globalState.get<boolean>(OFFLINE_KEY) === true;
  const nudge = new Controller(context.extensionPath, manifest, context.secrets, log, status, offline);
  controller = nudge;
  context.subscriptions.push(
    log,
    status,
    api.registerCommand(COMMANDS.setApiKey, async () => {
      const key = await api.askSecret("Anthropic API key for Nudge (kept in VS Code's secret storage)", "sk-ant-…");
      if (key?.trim()) {
        await context.secrets.store(SECRET_KEY, key.trim());
        await context.globalState.update(OFFLINE_KEY, undefined);
        void api.showInfo(
          api.isTrusted() ? "Nudge: API key saved." : "Nudge: API key saved; it is used once you trust this workspace.",
        );
        nudge.restartSoon();
      }
    }),
    api.registerCommand(COMMANDS.clearApiKey, async () => {
      await context.secrets.delete(SECRET_KEY);
      await context.globalState.update(OFFLINE_KEY, true);
      void api.showInfo("Nudge: API key removed; local suggestions only.");
      nudge.restartSoon();
    }),
    api.registerCommand(COMMANDS.reviewDocument, async (uri?: unknown) => {
      const target = api.uriString(uri) ?? api.activeDocumentUri();
      if (!target) {
        return void api.showInfo("Nudge: open a document to review first.");
      }
      await nudge.reviewDocument(target);
    }),
    api.registerCommand(COMMANDS.clearDismissals, async () => {
      const count = async (scope: string) =>
        nudge.serverCommand(SERVER_COMMANDS.clearDismissals, [{ scope, preview: true }]);
      const here = await count("workspace");
      const all = await count("all");
      if (typeof here !== "number" || typeof all !== "number") {
        return;
      }
      const choice = await api.pick(clearChoices(here, all), "Clear dismissed suggestions");
      if (!choice) {
        return;
      }
      const cleared = await nudge.serverCommand(SERVER_COMMANDS.clearDismissals, [{ scope: choice.scope }]);
      if (typeof cleared === "number") {
        void api.showInfo(`Nudge: ${plural(cleared, "dismissed suggestion")} can appear again.`);
      }
    }),
    api.registerCommand(COMMANDS.showUsage, async () => {
      const usage = await nudge.serverCommand(SERVER_COMMANDS.usage);
      if (usage === undefined) {
        return;
      }
      const lines = usageLines(usage);
      log.info(`usage: ${lines.map((line) => `${line.label}=${line.value}`).join(", ")}`);
      await api.pick(
        usageReport(usage).map((label) => ({ label })),
        "Nudge usage",
      );
    }),
    api.registerCommand(COMMANDS.showLog, () => log.show()),
    api.registerCommand(COMMANDS.restartServer, () => nudge.restartSoon()),
    api.registerCommand(COMMANDS.showMenu, async () => {
      const items = menuItems(manifest.contributes?.commands ?? []);
      const chosen = await api.pick(items, "Nudge");
      if (chosen) {
        await api.executeCommand(chosen.command);
      }
    }),
    api.onDidChangeSettings((changed) => nudge.settingsChanged(changed)),
    api.onDidGrantTrust(() => nudge.restartSoon()),
  );
  await nudge.restart();
}

/** Stop the server when VS Code shuts the extension down. */
export function deactivate(): Promise<void> | undefined {
  return controller?.stop();
}
