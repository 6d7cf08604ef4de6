/**
 * What the status bar says for each server state.
 *
 * The server reports `nudge/status` notifications; the extension adds the states it
 * knows before a server exists (starting, disabled, failed to start). This module turns
 * a state into text, tooltip and colour and does not import `vscode`.
 */

export const STATUS_NOTIFICATION = "nudge/status";

export const SERVER_STATES = [
  "off",
  "offline",
  "reviewing",
  "ready",
  "budget",
  "degraded",
  "error",
] as const;

/** A state the server reports. */
export type ServerState = (typeof SERVER_STATES)[number];

/** Any state the status bar can show. */
export type StatusState = ServerState | "starting";

/** The parameters of a `nudge/status` notification. */
export interface Status {
  state: StatusState;
  count: number;
  message: string;
}

/** How the status bar item looks. */
export interface StatusView {
  text: string;
  tooltip: string;
  tone: "normal" | "warning" | "error";
}

const LOOK: Record<StatusState, { icon: string; label: string; tone: StatusView["tone"] }> = {
  starting: { icon: "$(loading~spin)", label: "Starting the Nudge server…", tone: "normal" },
  off: { icon: "$(circle-slash)", label: "Nudge is off for this file or workspace.", tone: "normal" },
  offline: {
    icon: "$(debug-disconnect)",
    label: "Local suggestions only (no API key, or the workspace is not trusted).",
    tone: "normal",
  },
  reviewing: { icon: "$(sync~spin)", label: "Reviewing with Claude…", tone: "normal" },
  ready: { icon: "$(check)", label: "Ready.", tone: "normal" },
  budget: {
    icon: "$(warning)",
    label: "Today's budget is spent: local suggestions only until tomorrow.",
    tone: "warning",
  },
  // Claude unreachable or paused: local suggestions still work, so a warning, not an error.
  degraded: {
    icon: "$(cloud-offline)",
    label: "Claude is unavailable: local suggestions only.",
    tone: "warning",
  },
  error: { icon: "$(error)", label: "Nudge has a problem; see its log.", tone: "error" },
};

/** Return the status in a `nudge/status` notification, or undefined if it is malformed. */
export function parseStatus(params: unknown): Status | undefined {
  if (typeof params !== "object" || params === null) {
    return undefined;
  }
  const { state, count, message } = params as Record<string, unknown>;
  if (typeof state !== "string" || !(SERVER_STATES as readonly string[]).includes(state)) {
    return undefined;
  }
  return {
    state: state as ServerState,
    count: typeof count === "number" && Number.isFinite(count) && count > 0 ? Math.floor(count) : 0,
    message: typeof message === "string" ? message : "",
  };
}

/** Return the status bar text, tooltip and tone for a status. */
export function statusView(status: Status): StatusView {
  const look = LOOK[status.state];
  const counted = status.state !== "off" && status.state !== "starting" && status.count > 0;
  const text = `${look.icon} Nudge${counted ? ` ${status.count}` : ""}`;
  const lines = [look.label];
  if (counted) {
    lines.push(`${status.count} suggestion${status.count === 1 ? "" : "s"}.`);
  }
  if (status.message && status.message !== look.label) {
    lines.push(status.message);
  }
  lines.push("Click for Nudge commands.");
  return { text, tooltip: lines.join("\n"), tone: look.tone };
}
