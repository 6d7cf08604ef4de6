import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  CLIENT_ONLY_KEYS,
  forwardSettings,
  manifestProperties,
  needsRestart,
  serverKeys,
  type ManifestLike,
  type SettingValue,
} from "../src/settings";
import { CLIENT_ROOT } from "./helpers";

const manifest = JSON.parse(readFileSync(path.join(CLIENT_ROOT, "package.json"), "utf-8")) as ManifestLike;

describe("serverKeys", () => {
  it("lists manifest keys without the client-only ones", () => {
    const keys = serverKeys(manifest);
    assert.ok(keys.includes("minConfidence"));
    for (const key of CLIENT_ONLY_KEYS) {
      assert.ok(!keys.includes(key), key);
    }
    assert.equal(keys.length + CLIENT_ONLY_KEYS.size, Object.keys(manifestProperties(manifest)).length);
  });

  it("reads an array of configuration blocks too", () => {
    const split: ManifestLike = {
      contributes: {
        configuration: [
          { properties: { "nudge.a": {}, "nudge.enable": {} } },
          { properties: { "nudge.b": {}, "other.c": {} } },
        ],
      },
    };
    assert.deepEqual(serverKeys(split), ["a", "b"]);
  });
});

describe("forwardSettings", () => {
  const values: Record<string, SettingValue> = {
    minConfidence: { value: 0.8, isSet: true },
    debounceMs: { value: 400, isSet: false },
    severity: { value: { clarity: "warning" }, isSet: true },
    exclude: { value: undefined, isSet: true },
  };
  const cases: [string, string[], Record<string, unknown>][] = [
    ["only set keys go to the server", ["minConfidence", "debounceMs"], { minConfidence: 0.8 }],
    ["objects pass through whole", ["severity"], { severity: { clarity: "warning" } }],
    ["set but undefined is dropped", ["exclude"], {}],
    ["unknown keys are skipped", ["nope"], {}],
  ];
  for (const [name, keys, expected] of cases) {
    it(name, () => assert.deepEqual(forwardSettings(keys, (key) => values[key]), expected));
  }
});

describe("needsRestart", () => {
  const cases: [string[], boolean][] = [
    [["nudge.pythonPath"], true],
    [["nudge.enable"], true],
    [["nudge.minConfidence"], false],
    [[], false],
  ];
  for (const [changed, expected] of cases) {
    it(changed.join(",") || "(nothing)", () =>
      assert.equal(needsRestart((key) => changed.includes(key)), expected),
    );
  }
});
