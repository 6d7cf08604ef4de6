import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  chooseInterpreter,
  interpreterCandidates,
  isSupported,
  parseProbe,
  type InterpreterCandidate,
  type ProbeRunner,
} from "../src/python";

describe("interpreterCandidates", () => {
  const cases: [string, string | undefined, string[] | undefined, string, string[][]][] = [
    ["setting wins over everything", "/opt/py/bin/python", ["/venv/bin/python"], "linux", [["/opt/py/bin/python"]]],
    ["blank setting is ignored", "  ", ["/venv/bin/python"], "linux", [["/venv/bin/python"], ["python3"]]],
    ["python extension, then python3", undefined, ["conda", "run", "python"], "darwin", [["conda", "run", "python"], ["python3"]]],
    ["empty extension answer is skipped", undefined, [""], "linux", [["python3"]]],
    ["windows default is python", undefined, undefined, "win32", [["python"]]],
  ];
  for (const [name, setting, fromExtension, platform, expected] of cases) {
    it(name, () => {
      assert.deepEqual(
        interpreterCandidates(setting, fromExtension, platform).map((c) => c.command),
        expected,
      );
    });
  }
});

describe("parseProbe", () => {
  const cases: [string, ReturnType<typeof parseProbe>][] = [
    ["(3, 11) True\n", { version: [3, 11], nudgeInstalled: true }],
    ["(3, 10) False", { version: [3, 10], nudgeInstalled: false }],
    ["Python 3.11.2", undefined],
    ["", undefined],
  ];
  for (const [stdout, expected] of cases) {
    it(JSON.stringify(stdout), () => assert.deepEqual(parseProbe(stdout), expected));
  }
});

describe("isSupported", () => {
  const cases: [[number, number], boolean][] = [
    [[3, 9], false],
    [[3, 10], true],
    [[3, 13], true],
    [[2, 7], false],
    [[4, 0], true],
  ];
  for (const [version, expected] of cases) {
    it(version.join("."), () => assert.equal(isSupported(version), expected));
  }
});

function fakeRunner(answers: Record<string, string | Error>): { run: ProbeRunner; calls: string[] } {
  const calls: string[] = [];
  const run: ProbeRunner = async (command) => {
    const name = command.join(" ");
    calls.push(name);
    const answer = answers[name];
    if (answer === undefined) {
      throw Object.assign(new Error(`spawn ${name} ENOENT`), { code: "ENOENT" });
    }
    if (answer instanceof Error) {
      throw answer;
    }
    return answer;
  };
  return { run, calls };
}

describe("chooseInterpreter", () => {
  const setting: InterpreterCandidate = { command: ["/bad/python"], source: "nudge.pythonPath" };
  const extension: InterpreterCandidate = { command: ["/venv/bin/python"], source: "Python extension" };
  const fallback: InterpreterCandidate = { command: ["python3"], source: "default" };

  it("takes the first recent enough interpreter", async () => {
    const { run, calls } = fakeRunner({ "/venv/bin/python": "(3, 12) False", python3: "(3, 11) True" });
    const choice = await chooseInterpreter([extension, fallback], run);
    assert.deepEqual(choice, {
      ok: true,
      command: ["/venv/bin/python"],
      source: "Python extension",
      probe: { version: [3, 12], nudgeInstalled: false },
    });
    assert.deepEqual(calls, ["/venv/bin/python"]);
  });

  it("skips an old interpreter from the Python extension", async () => {
    const { run } = fakeRunner({ "/venv/bin/python": "(3, 8) False", python3: "(3, 11) True" });
    const choice = await chooseInterpreter([extension, fallback], run);
    assert.equal(choice.ok && choice.command[0], "python3");
  });

  it("never falls back from an explicit nudge.pythonPath", async () => {
    const { run, calls } = fakeRunner({ "/bad/python": "(3, 9) True", python3: "(3, 11) True" });
    const choice = await chooseInterpreter([setting, fallback], run);
    assert.equal(choice.ok, false);
    assert.deepEqual(calls, ["/bad/python"]);
    assert.match(!choice.ok ? choice.message : "", /\/bad\/python \(nudge\.pythonPath\) is Python 3\.9/);
  });

  it("explains the fix when nothing works", async () => {
    const { run } = fakeRunner({ "/venv/bin/python": "garbage" });
    const choice = await chooseInterpreter([extension, fallback], run);
    assert.equal(choice.ok, false);
    const message = !choice.ok ? choice.message : "";
    assert.match(message, /needs Python 3\.10 or newer/);
    assert.match(message, /nudge\.pythonPath/);
    assert.match(message, /did not report a Python version/);
    assert.match(message, /python3 \(default\) could not be run: not found/);
  });
});
