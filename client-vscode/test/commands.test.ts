import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { clearChoices, COMMANDS, commandsForClient, menuItems, usageLines, usageReport, type ManifestCommand } from "../src/commands";
import { debounce, type Timers } from "../src/debounce";
import { CLIENT_ROOT } from "./helpers";

const manifest = JSON.parse(readFileSync(path.join(CLIENT_ROOT, "package.json"), "utf-8")) as {
  contributes: { commands: ManifestCommand[] };
};

describe("commands", () => {
  it("offers clearing this workspace first, with counts, and all workspaces separately", () => {
    assert.deepEqual(clearChoices(1, 3), [
      { label: "Clear in this workspace", description: "1 dismissed suggestion", scope: "workspace" },
      { label: "Clear in all workspaces", description: "3 dismissed suggestions", scope: "all" },
    ]);
    assert.deepEqual(clearChoices(2, 2).map((c) => c.scope), ["workspace"]);
  });

  it("declares exactly the commands the extension registers", () => {
    const declared = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(declared, Object.values(COMMANDS).sort());
  });

  it("menu lists every command but itself, with manifest titles", () => {
    const items = menuItems(manifest.contributes.commands);
    assert.equal(items.length, Object.keys(COMMANDS).length - 1);
    assert.ok(!items.some((item) => item.command === COMMANDS.showMenu));
    assert.ok(items.every((item) => item.label.length > 0));
  });

  it("leaves code-action commands to the language client", () => {
    assert.deepEqual(
      commandsForClient(["nudge.dismiss", "nudge.reviewDocument", "nudge.ignorePhrase", "nudge.usage", "nudge.clearDismissals"]),
      ["nudge.dismiss", "nudge.ignorePhrase"],
    );
  });
});

describe("usageLines", () => {
  const cases: [string, unknown, [string, string][]][] = [
    [
      "nested objects become paths",
      { tokens: { input: 12000, output: 800 }, costUsd: 0.123456, acceptance: { cliche: 0.5 } },
      [
        ["tokens › input", "12,000"],
        ["tokens › output", "800"],
        ["costUsd", "0.1235"],
        ["acceptance › cliche", "0.5"],
      ],
    ],
    ["lists and strings stay readable", { days: ["mon"], note: "ok" }, [["days", '["mon"]'], ["note", "ok"]]],
    ["non-objects give nothing", null, []],
  ];
  for (const [name, usage, expected] of cases) {
    it(name, () => assert.deepEqual(usageLines(usage).map((l) => [l.label, l.value]), expected));
  }
});

describe("usageReport", () => {
  it("says today's spend against the budget, requests, cache rate and acceptance in words", () => {
    const lines = usageReport({
      claude: true, state: "ready", message: "Claude (claude-sonnet-5-5) and local suggestions",
      today: { tokens: 41000, token_limit: 2000000, cost_usd: 0.1234, cost_limit_usd: 5 },
      cache_hit_rate: 0.92, requests: 36, cost_usd: 0.5, shown: 12, documents: 3,
      categories: { cliche: { shown: 5, accepted: 3, dismissed: 2, acceptance_rate: 0.6 } },
    });
    assert.deepEqual(lines, [
      "Claude: Claude (claude-sonnet-5-5) and local suggestions.",
      "Spent $0.12 of today's $5.00 budget, 41,000 of 2,000,000 tokens.",
      "36 Claude requests in all, costing about $0.50. 92% of paragraphs were answered from the cache.",
      "Showing 12 suggestions in 3 documents.",
      "Clichés: 5 shown, 3 accepted, 2 dismissed (60% accepted).",
    ]);
    assert.ok(!lines.join(" ").includes("null") && !lines.join(" ").includes("›"));
  });
  it("says plainly when Claude is off", () => {
    assert.equal(usageReport({ claude: false, requests: 0, shown: 0, documents: 1 })[0],
      "Claude is off: local suggestions only.");
  });
});

describe("debounce", () => {
  function fakeTimers(): Timers & { fire(): void; pending: number } {
    let queue = new Map<number, () => void>();
    let next = 0;
    return {
      setTimeout(callback) {
        queue.set(++next, callback);
        return next;
      },
      clearTimeout(handle) {
        queue.delete(handle as number);
      },
      fire() {
        const due = [...queue.values()];
        queue = new Map();
        due.forEach((callback) => callback());
      },
      get pending() {
        return queue.size;
      },
    };
  }

  it("runs once after a burst", () => {
    const timers = fakeTimers();
    let runs = 0;
    const restart = debounce(() => runs++, 300, timers);
    restart();
    restart();
    restart();
    assert.equal(timers.pending, 1);
    timers.fire();
    assert.equal(runs, 1);
    restart();
    timers.fire();
    assert.equal(runs, 2);
  });
});
