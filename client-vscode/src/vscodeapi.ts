/**
 * The one module that talks to the VS Code API (besides the language client).
 *
 * Everything else calls these small wrappers, so the logic modules stay free of
 * `vscode` and the surface the extension depends on is visible in one place.
 */
import * as vscode from "vscode";
import { SECTION, type SettingValue } from "./settings";

export type Disposable = vscode.Disposable;
export type LogChannel = vscode.LogOutputChannel;

/** Create the extension's log channel. */
export function createLogChannel(name: string): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(name, { log: true });
}

/** Register a command. */
export function registerCommand(id: string, run: (...args: unknown[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, run);
}

/** Run any command by id. */
export function executeCommand(id: string, ...args: unknown[]): Thenable<unknown> {
  return vscode.commands.executeCommand(id, ...args);
}

/** Tell whether the workspace is trusted. */
export function isTrusted(): boolean {
  return vscode.workspace.isTrusted;
}

/** Call `listener` when the user trusts the workspace. */
export function onDidGrantTrust(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidGrantWorkspaceTrust(listener);
}

/** Call `listener` when a `nudge.*` setting changes, with a test for which key changed. */
export function onDidChangeSettings(listener: (changed: (key: string) => boolean) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(SECTION)) {
      listener((key) => event.affectsConfiguration(key));
    }
  });
}

/** Read one `nudge` key for a resource: its effective value and whether anyone set it. */
export function readSetting(key: string, scope?: vscode.Uri | string): SettingValue {
  const uri = typeof scope === "string" ? vscode.Uri.parse(scope) : scope;
  const config = vscode.workspace.getConfiguration(SECTION, uri ?? null);
  const seen = config.inspect(key);
  const isSet =
    seen !== undefined &&
    [
      seen.globalValue,
      seen.workspaceValue,
      seen.workspaceFolderValue,
      seen.globalLanguageValue,
      seen.workspaceLanguageValue,
      seen.workspaceFolderLanguageValue,
    ].some((value) => value !== undefined);
  return { value: config.get(key), isSet };
}

/** Read a client-only `nudge` key's effective value. */
export function clientSetting<T>(key: string): T | undefined {
  return vscode.workspace.getConfiguration(SECTION).get<T>(key);
}

/** The URI of the document in the active editor, if any. */
export function activeDocumentUri(): string | undefined {
  return vscode.window.activeTextEditor?.document.uri.toString();
}

/** Return a command argument as a URI string, if it is a string or a `vscode.Uri`. */
export function uriString(arg: unknown): string | undefined {
  return typeof arg === "string" ? arg : arg instanceof vscode.Uri ? arg.toString() : undefined;
}

/** Show an error with optional buttons; resolve to the button chosen. */
export function showError(message: string, ...actions: string[]): Thenable<string | undefined> {
  return vscode.window.showErrorMessage(message, ...actions);
}

/** Show an information message. */
export function showInfo(message: string): Thenable<string | undefined> {
  return vscode.window.showInformationMessage(message);
}

/** Ask for a secret value without echoing it. */
export function askSecret(prompt: string, placeHolder: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({ prompt, placeHolder, password: true, ignoreFocusOut: true });
}

/** Show a quick pick of labelled items; resolve to the chosen one. */
export function pick<T extends { label: string; description?: string; detail?: string }>(
  items: T[],
  title: string,
): Thenable<T | undefined> {
  return vscode.window.showQuickPick(items, { title, matchOnDescription: true });
}

/** Open the settings editor filtered to one query. */
export function openSettings(query: string): Thenable<unknown> {
  return vscode.commands.executeCommand("workbench.action.openSettings", query);
}

/** A status bar item with a text, tooltip, tone and click command. */
export interface StatusItem extends vscode.Disposable {
  show(text: string, tooltip: string, tone: "normal" | "warning" | "error"): void;
}

/** Create the status bar item; clicking it runs `command`. */
export function createStatusItem(command: string): StatusItem {
  const item = vscode.window.createStatusBarItem("nudge.status", vscode.StatusBarAlignment.Right, 100);
  item.name = "Nudge";
  item.command = command;
  return {
    show(text, tooltip, tone) {
      item.text = text;
      item.tooltip = tooltip;
      item.backgroundColor =
        tone === "normal" ? undefined : new vscode.ThemeColor(`statusBarItem.${tone}Background`);
      item.show();
    },
    dispose: () => item.dispose(),
  };
}

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath?(resource?: vscode.Uri): { path?: string } | undefined;
    resolveEnvironment?(
      env: { path?: string } | string,
    ): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
  settings?: {
    getExecutionDetails?(resource?: vscode.Uri): { execCommand?: string[] } | undefined;
  };
}

/** Return the Python extension's active interpreter command, if it is installed and has one. */
export async function pythonExtensionInterpreter(): Promise<string[] | undefined> {
  try {
    const extension = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
    if (!extension) {
      return undefined;
    }
    const api = extension.isActive ? extension.exports : await extension.activate();
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    const active = api?.environments?.getActiveEnvironmentPath?.(resource);
    if (active) {
      const resolved = await api?.environments?.resolveEnvironment?.(active);
      const executable = resolved?.executable?.uri?.fsPath;
      if (executable) {
        return [executable];
      }
    }
    const command = api?.settings?.getExecutionDetails?.(resource)?.execCommand;
    return command && command.length > 0 ? command : undefined;
  } catch {
    return undefined;
  }
}
