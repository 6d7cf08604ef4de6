/**
 * The manifest's `contributes.configuration` entries, derived from the server's settings.
 *
 * The server describes each setting (`nudge.settings.describe_settings()`: key, default,
 * doc, choices, per-category keys, lo/hi bounds). This module turns that description into
 * the JSON schema VS Code shows in its settings editor. `npm run sync-settings` writes it
 * into package.json, and a unit test fails when the two drift apart. The scope of each
 * key is a client decision and lives here. Not bundled into the extension.
 */

/** One setting as the server describes it, plus the Python type name of its default. */
export interface ServerSetting {
  key: string;
  default: unknown;
  doc: string;
  pytype: string;
  choices?: string[];
  keys?: string[];
  free_keys?: boolean;
  lo?: number;
  hi?: number;
}

/** A JSON schema fragment as VS Code reads it. */
export type Schema = Record<string, unknown>;

/**
 * Settings that belong to the whole server process (models, rates, budgets) are
 * `window`-scoped: a user or a workspace may set them, a folder may not. Everything about
 * which suggestions a document gets is `resource`-scoped, so a team can set it in
 * `.vscode/settings.json`, per folder if they like.
 */
export const WINDOW_SCOPED: ReadonlySet<string> = new Set([
  "model",
  "graderModel",
  "effort",
  "graderEffort",
  "reviewModel",
  "reviewGraderModel",
  "maxRequestsInFlight",
  "requestsPerMinute",
  "batchTokenCap",
  "dailyTokenBudget",
  "dailyCostBudgetUsd",
]);

function bounds(setting: ServerSetting): Schema {
  const out: Schema = {};
  if (setting.lo !== undefined) {
    out.minimum = setting.lo;
  }
  if (setting.hi !== undefined) {
    out.maximum = setting.hi;
  }
  return out;
}

function valueSchema(setting: ServerSetting): Schema {
  const enumOf = setting.choices ? { enum: setting.choices } : {};
  switch (setting.pytype) {
    case "bool":
      return { type: "boolean" };
    case "int":
      return { type: "integer", ...bounds(setting) };
    case "float":
      return { type: "number", ...bounds(setting) };
    case "str":
      return { type: "string", ...enumOf };
    case "list":
      return {
        type: "array",
        items: { type: "string", ...enumOf },
        ...(setting.choices ? { uniqueItems: true } : {}),
      };
    case "dict": {
      if (setting.free_keys) {
        return { type: "object", additionalProperties: { type: "array", items: { type: "string" } } };
      }
      const item = setting.choices ? { type: "string", ...enumOf } : { type: "number", ...bounds(setting) };
      const properties: Schema = {};
      for (const key of setting.keys ?? []) {
        properties[key] = item;
      }
      return { type: "object", properties, additionalProperties: false };
    }
    default:
      throw new Error(`setting ${setting.key}: no schema for Python type ${setting.pytype}`);
  }
}

/** Return the manifest property for one server setting. */
export function settingSchema(setting: ServerSetting, order: number): Schema {
  return {
    ...valueSchema(setting),
    default: setting.default,
    description: setting.doc,
    scope: WINDOW_SCOPED.has(setting.key) ? "window" : "resource",
    order,
  };
}

/** Return the manifest properties (`nudge.<key>` → schema) for all server settings. */
export function serverSettingsSchema(settings: readonly ServerSetting[]): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  settings.forEach((setting, index) => {
    out[`nudge.${setting.key}`] = settingSchema(setting, 10 + index);
  });
  return out;
}

/** Python that prints the server's settings description, with each default's type. */
export const DESCRIBE_SETTINGS_SCRIPT =
  "import json, nudge.settings as s; " +
  "print(json.dumps([{**d, 'pytype': type(d['default']).__name__} for d in s.describe_settings()]))";
