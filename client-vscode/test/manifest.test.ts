import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { CLIENT_ONLY_KEYS, manifestProperties } from "../src/settings";
import { DESCRIBE_SETTINGS_SCRIPT, serverSettingsSchema, type ServerSetting } from "../src/settingsSchema";
import { CLIENT_ROOT, REPO_ROOT, runPython, testPython } from "./helpers";

interface Manifest {
  engines: { vscode: string };
  devDependencies: Record<string, string>;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: { configuration: { properties: Record<string, Record<string, unknown>> } };
}

const manifest = JSON.parse(readFileSync(path.join(CLIENT_ROOT, "package.json"), "utf-8")) as Manifest;
const properties = manifestProperties(manifest) as Record<string, Record<string, unknown>>;

describe("manifest settings match the server's", () => {
  let server: ServerSetting[] = [];
  before(() => {
    server = JSON.parse(runPython(testPython(), DESCRIBE_SETTINGS_SCRIPT)) as ServerSetting[];
  });

  it("declares every server setting exactly as the server describes it", () => {
    const expected = serverSettingsSchema(server);
    for (const [name, schema] of Object.entries(expected)) {
      assert.deepEqual(properties[name], schema, `${name} drifted; run: npm run sync-settings`);
    }
  });

  it("declares nothing else but the client-only keys", () => {
    const expected = new Set([
      ...server.map((setting) => `nudge.${setting.key}`),
      ...[...CLIENT_ONLY_KEYS].map((key) => `nudge.${key}`),
    ]);
    assert.deepEqual(Object.keys(properties).sort(), [...expected].sort());
  });

  it("gives every setting a description, a default and a scope", () => {
    for (const [name, schema] of Object.entries(properties)) {
      assert.ok(typeof schema.description === "string" && schema.description.length > 10, name);
      assert.ok("default" in schema, name);
      assert.ok(typeof schema.scope === "string", name);
    }
  });
});

describe("manifest rules", () => {
  it("restricts nudge.pythonPath in untrusted workspaces", () => {
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, "limited");
    assert.deepEqual(trust.restrictedConfigurations, ["nudge.pythonPath"]);
    assert.ok(["machine-overridable", "application"].includes(properties["nudge.pythonPath"].scope as string));
  });

  it("activates for every language nudge.languages allows", () => {
    const languages = (properties["nudge.languages"].items as { enum: string[] }).enum;
    assert.deepEqual(
      manifest.activationEvents.sort(),
      languages.map((language) => `onLanguage:${language}`).sort(),
    );
  });

  it("keeps @types/vscode no newer than engines.vscode, and at most 1.100", () => {
    const engine = /^\^(\d+)\.(\d+)\.\d+$/.exec(manifest.engines.vscode);
    const types = /^~(\d+)\.(\d+)\.\d+$/.exec(manifest.devDependencies["@types/vscode"]);
    assert.ok(engine && types, "engines.vscode is ^x.y.z and @types/vscode is ~x.y.z");
    const [engineMinor, typesMinor] = [Number(engine[2]), Number(types[2])];
    assert.equal(engine[1], "1");
    assert.equal(types[1], "1");
    assert.ok(typesMinor <= engineMinor && engineMinor <= 100);
  });

  it("is the workspace the repository root builds", () => {
    const root = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf-8")) as {
      workspaces: string[];
      scripts: Record<string, string>;
    };
    assert.deepEqual(root.workspaces, ["client-vscode"]);
    for (const script of ["build", "test", "package"]) {
      assert.match(root.scripts[script], /client-vscode/);
    }
  });
});
