import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  API_KEY_ENV,
  buildLaunch,
  chooseServerSource,
  describeLaunch,
  parseBundleInfo,
  type LaunchInput,
} from "../src/launch";

const base: LaunchInput = {
  python: ["/usr/bin/python3"],
  baseEnv: { PATH: "/usr/bin", HOME: "/home/w", UNSET: undefined },
  trusted: true,
  settings: { minConfidence: 0.7 },
  cwd: "/ext",
};

describe("buildLaunch", () => {
  it("runs python -m nudge lsp in the extension folder", () => {
    const plan = buildLaunch(base);
    assert.equal(plan.command, "/usr/bin/python3");
    assert.deepEqual(plan.args, ["-m", "nudge", "lsp"]);
    assert.equal(plan.cwd, "/ext");
    assert.deepEqual(plan.initializationOptions, {
      settings: { minConfidence: 0.7 },
      trusted: true,
      client: "vscode",
    });
    assert.deepEqual(plan.env, { PATH: "/usr/bin", HOME: "/home/w" });
  });

  it("says offline only when the user chose it", () => {
    assert.equal(buildLaunch({ ...base, offline: true }).initializationOptions.offline, true);
    assert.equal("offline" in buildLaunch({ ...base, offline: false }).initializationOptions, false);
  });

  it("keeps extra interpreter arguments before the module", () => {
    const plan = buildLaunch({ ...base, python: ["conda", "run", "-n", "w", "python"] });
    assert.equal(plan.command, "conda");
    assert.deepEqual(plan.args, ["run", "-n", "w", "python", "-m", "nudge", "lsp"]);
  });

  it("puts the bundled libraries on PYTHONPATH, replacing the user's", () => {
    const plan = buildLaunch({ ...base, baseEnv: { PYTHONPATH: "/mine" }, libsDir: "/ext/bundled/libs" });
    assert.equal(plan.env.PYTHONPATH, "/ext/bundled/libs");
  });

  const keyCases: [string, Partial<LaunchInput>, string | undefined][] = [
    ["secret storage key when trusted", { apiKey: "sk-secret" }, "sk-secret"],
    ["secret wins over the inherited key", { apiKey: "sk-secret", baseEnv: { [API_KEY_ENV]: "sk-env" } }, "sk-secret"],
    ["inherited key when trusted and no secret", { baseEnv: { [API_KEY_ENV]: "sk-env" } }, "sk-env"],
    ["blank secret falls back to the environment", { apiKey: " ", baseEnv: { [API_KEY_ENV]: "sk-env" } }, "sk-env"],
    ["no key at all", {}, undefined],
    ["untrusted drops the secret", { trusted: false, apiKey: "sk-secret" }, undefined],
    ["untrusted drops the inherited key", { trusted: false, baseEnv: { [API_KEY_ENV]: "sk-env" } }, undefined],
  ];
  for (const [name, change, expected] of keyCases) {
    it(`API key: ${name}`, () => {
      const plan = buildLaunch({ ...base, ...change });
      assert.equal(plan.env[API_KEY_ENV], expected);
      assert.equal(plan.initializationOptions.trusted, change.trusted ?? true);
      assert.doesNotMatch(JSON.stringify(plan.initializationOptions), /sk-/);
    });
  }

  it("never describes the key in the log line", () => {
    const plan = buildLaunch({ ...base, apiKey: "sk-secret", libsDir: "/ext/bundled/libs" });
    const text = describeLaunch(plan);
    assert.doesNotMatch(text, /sk-secret/);
    assert.equal(
      text,
      "PYTHONPATH=/ext/bundled/libs /usr/bin/python3 -m nudge lsp (cwd /ext; trusted; with an API key)",
    );
  });
});

describe("parseBundleInfo", () => {
  const cases: [string | undefined, ReturnType<typeof parseBundleInfo>][] = [
    ['{"pythonVersion": [3, 11], "target": "linux-x64"}', { pythonVersion: [3, 11], target: "linux-x64" }],
    ['{"pythonVersion": "3.11", "target": "linux-x64"}', undefined],
    ['{"pythonVersion": [3, 11]}', undefined],
    ["not json", undefined],
    ["null", undefined],
    [undefined, undefined],
  ];
  for (const [text, expected] of cases) {
    it(String(text), () => assert.deepEqual(parseBundleInfo(text), expected));
  }
});

describe("chooseServerSource", () => {
  const bundle = { pythonVersion: [3, 11] as [number, number], target: "linux-x64" };
  const cases: [string, typeof bundle | undefined, [number, number], boolean, RegExp | string | undefined][] = [
    ["bundle matches the interpreter", bundle, [3, 11], false, "/libs"],
    ["bundle matches even if nudge is installed", bundle, [3, 11], true, "/libs"],
    ["other version with nudge installed", bundle, [3, 12], true, undefined],
    ["other version without nudge", bundle, [3, 12], false, /carries its server for Python 3\.11 \(linux-x64\).*is Python 3\.12/],
    ["no bundle, nudge installed", undefined, [3, 12], true, undefined],
    ["no bundle, no nudge", undefined, [3, 12], false, /no bundled server/],
  ];
  for (const [name, info, version, installed, expected] of cases) {
    it(name, () => {
      const source = chooseServerSource(info, "/libs", { version, nudgeInstalled: installed }, "python3");
      if (expected instanceof RegExp) {
        assert.equal(source.ok, false);
        assert.match(!source.ok ? source.message : "", expected);
      } else {
        assert.equal(source.ok, true);
        assert.equal(source.ok && source.libsDir, expected);
      }
    });
  }
});
