/**
 * Forwarding the `nudge` settings section to the server.
 *
 * The keys come from the extension manifest (`contributes.configuration`), the single
 * declaration of every setting, so nothing here restates a key or a default. Only keys
 * the user or team actually set are forwarded: the server applies its own defaults and
 * the team's `.nudge.toml` first, and a forwarded default would silently override the
 * team file. Client-only keys never reach the server. This module does not import `vscode`.
 */

export const SECTION = "nudge";

/** Settings the extension itself uses; the server does not know them. */
export const CLIENT_ONLY_KEYS: ReadonlySet<string> = new Set(["pythonPath", "enable"]);

/** One setting as VS Code reports it: its effective value and whether anyone set it. */
export interface SettingValue {
  value: unknown;
  isSet: boolean;
}

/** The parts of the extension manifest this module reads. */
export interface ManifestLike {
  contributes?: {
    configuration?: { properties?: Record<string, unknown> } | { properties?: Record<string, unknown> }[];
  };
}

/** Return every `nudge.*` property declared in the manifest, keyed by full name. */
export function manifestProperties(manifest: ManifestLike): Record<string, unknown> {
  const configuration = manifest.contributes?.configuration;
  const blocks = Array.isArray(configuration) ? configuration : configuration ? [configuration] : [];
  const out: Record<string, unknown> = {};
  for (const block of blocks) {
    for (const [name, schema] of Object.entries(block.properties ?? {})) {
      if (name.startsWith(`${SECTION}.`)) {
        out[name] = schema;
      }
    }
  }
  return out;
}

/** Return the keys (without the `nudge.` prefix) that the server understands. */
export function serverKeys(manifest: ManifestLike): string[] {
  return Object.keys(manifestProperties(manifest))
    .map((name) => name.slice(SECTION.length + 1))
    .filter((key) => !CLIENT_ONLY_KEYS.has(key));
}

/** Build the section to send: the value of every server key that someone set. */
export function forwardSettings(
  keys: readonly string[],
  read: (key: string) => SettingValue | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const setting = read(key);
    if (setting?.isSet && setting.value !== undefined) {
      out[key] = setting.value;
    }
  }
  return out;
}

/** Tell whether a change to these keys needs a server restart rather than a settings push. */
export function needsRestart(changed: (key: string) => boolean): boolean {
  return [...CLIENT_ONLY_KEYS].some((key) => changed(`${SECTION}.${key}`));
}
