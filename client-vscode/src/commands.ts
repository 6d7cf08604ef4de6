/**
 * The extension's commands and the menu the status bar opens.
 *
 * Titles live in the manifest (`contributes.commands`); the menu lists them from there.
 * Some ids are also server commands (`workspace/executeCommand`); the extension owns those
 * palette entries and calls the server itself, so the language client must not register
 * them a second time. This module does not import `vscode`.
 */

export const COMMANDS = {
  setApiKey: "nudge.setApiKey",
  clearApiKey: "nudge.clearApiKey",
  reviewDocument: "nudge.reviewDocument",
  clearDismissals: "nudge.clearDismissals",
  showUsage: "nudge.showUsage",
  showLog: "nudge.showLog",
  restartServer: "nudge.restartServer",
  showMenu: "nudge.showMenu",
} as const;

/** Server commands the extension wraps under the same id. */
export const SERVER_COMMANDS = {
  reviewDocument: "nudge.reviewDocument",
  clearDismissals: "nudge.clearDismissals",
  usage: "nudge.usage",
} as const;

/** Server command ids the language client must not register as VS Code commands. */
export const CLIENT_OWNED: ReadonlySet<string> = new Set<string>([
  ...Object.values(COMMANDS),
  ...Object.values(SERVER_COMMANDS),
]);

/** Drop the server commands the extension registers itself. */
export function commandsForClient(serverCommands: readonly string[]): string[] {
  return serverCommands.filter((command) => !CLIENT_OWNED.has(command));
}

/** One entry of the command menu. */
export interface MenuItem {
  command: string;
  label: string;
}

/** A command as declared in the manifest. */
export interface ManifestCommand {
  command: string;
  title: string;
}

/** Return the menu entries: every declared command except the menu itself. */
export function menuItems(declared: readonly ManifestCommand[]): MenuItem[] {
  return declared
    .filter((c) => c.command !== COMMANDS.showMenu)
    .map((c) => ({ command: c.command, label: c.title }));
}

/** Return "1 thing" or "3 things". */
export function plural(count: number, noun: string): string {
  return `${count.toLocaleString("en-US")} ${noun}${count === 1 ? "" : "s"}`;
}

/** A choice in the "Clear Dismissed Suggestions" confirmation. */
export interface ClearChoice {
  label: string;
  description: string;
  scope: "workspace" | "all";
}

/** The confirmation: this workspace first (the default), every workspace separately. */
export function clearChoices(here: number, all: number): ClearChoice[] {
  const choices: ClearChoice[] = [
    { label: "Clear in this workspace", description: plural(here, "dismissed suggestion"), scope: "workspace" },
  ];
  if (all > here) {
    choices.push({ label: "Clear in all workspaces", description: plural(all, "dismissed suggestion"), scope: "all" });
  }
  return choices;
}

const CATEGORY_NAMES: Record<string, string> = {
  cliche: "clichés",
  wordiness: "wordiness",
  clarity: "clarity",
  redundancy: "redundancy",
};

function money(value: unknown): string {
  return typeof value === "number" ? `$${value.toFixed(2)}` : "$0.00";
}

function count(value: unknown): string {
  return typeof value === "number" ? value.toLocaleString("en-US") : "0";
}

/** The server's usage object in plain words, one sentence a line. */
export function usageReport(usage: unknown): string[] {
  if (typeof usage !== "object" || usage === null || Array.isArray(usage)) {
    return ["Nudge has no usage to report yet."];
  }
  const u = usage as Record<string, any>;
  const lines: string[] = [];
  lines.push(u.claude ? `Claude: ${u.message || u.state}.` : "Claude is off: local suggestions only.");
  const today = u.today ?? {};
  if (u.claude && typeof today.cost_usd === "number") {
    const cost = today.cost_limit_usd
      ? `${money(today.cost_usd)} of today's ${money(today.cost_limit_usd)} budget`
      : `${money(today.cost_usd)} today (no cost limit)`;
    const tokens = today.token_limit
      ? `${count(today.tokens)} of ${count(today.token_limit)} tokens`
      : `${count(today.tokens)} tokens`;
    lines.push(`Spent ${cost}, ${tokens}.`);
  }
  const requests = typeof u.requests === "number" ? u.requests : 0;
  const rate = typeof u.cache_hit_rate === "number" ? ` ${Math.round(u.cache_hit_rate * 100)}% of paragraphs were answered from the cache.` : "";
  lines.push(`${plural(requests, "Claude request")} in all, costing about ${money(u.cost_usd)}.${rate}`);
  lines.push(`Showing ${plural(typeof u.shown === "number" ? u.shown : 0, "suggestion")} in ${plural(typeof u.documents === "number" ? u.documents : 0, "document")}.`);
  const categories = u.categories ?? {};
  for (const [name, row] of Object.entries(categories as Record<string, any>)) {
    const label = CATEGORY_NAMES[name] ?? name;
    const rate = typeof row.acceptance_rate === "number" ? `${Math.round(row.acceptance_rate * 100)}% accepted` : "none decided yet";
    lines.push(`${label[0].toUpperCase()}${label.slice(1)}: ${count(row.shown)} shown, ${count(row.accepted)} accepted, ${count(row.dismissed)} dismissed (${rate}).`);
  }
  return lines;
}

/** One line of the usage report. */
export interface UsageLine {
  label: string;
  value: string;
}

/** Flatten the server's usage object into labelled lines, in the server's order. */
export function usageLines(usage: unknown, prefix = ""): UsageLine[] {
  if (typeof usage !== "object" || usage === null || Array.isArray(usage)) {
    return prefix ? [{ label: prefix, value: formatValue(usage) }] : [];
  }
  const lines: UsageLine[] = [];
  for (const [key, value] of Object.entries(usage)) {
    const label = prefix ? `${prefix} › ${key}` : key;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      lines.push(...usageLines(value, label));
    } else {
      lines.push({ label, value: formatValue(value) });
    }
  }
  return lines;
}

function formatValue(value: unknown): string {
  if (typeof value === "number") {
    return Number.isInteger(value) ? value.toLocaleString("en-US") : String(Math.round(value * 10000) / 10000);
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}
