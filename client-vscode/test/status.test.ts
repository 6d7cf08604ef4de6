import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStatus, statusView, type Status } from "../src/status";

describe("parseStatus", () => {
  const cases: [unknown, Status | undefined][] = [
    [{ state: "ready", count: 3, message: "" }, { state: "ready", count: 3, message: "" }],
    [{ state: "offline" }, { state: "offline", count: 0, message: "" }],
    [{ state: "ready", count: -2, message: 5 }, { state: "ready", count: 0, message: "" }],
    [{ state: "ready", count: 2.7, message: "x" }, { state: "ready", count: 2, message: "x" }],
    [{ state: "starting" }, undefined],
    [{ state: "sleeping" }, undefined],
    [null, undefined],
    ["ready", undefined],
  ];
  for (const [params, expected] of cases) {
    it(JSON.stringify(params), () => assert.deepEqual(parseStatus(params), expected));
  }
});

describe("statusView", () => {
  const cases: [Status, string, string, RegExp][] = [
    [{ state: "ready", count: 3, message: "" }, "$(check) Nudge 3", "normal", /3 suggestions/],
    [{ state: "ready", count: 1, message: "" }, "$(check) Nudge 1", "normal", /1 suggestion\./],
    [{ state: "ready", count: 0, message: "" }, "$(check) Nudge", "normal", /Ready/],
    [{ state: "offline", count: 2, message: "No API key." }, "$(debug-disconnect) Nudge 2", "normal", /Local suggestions only[\s\S]*No API key\./],
    [{ state: "reviewing", count: 0, message: "" }, "$(sync~spin) Nudge", "normal", /Reviewing/],
    [{ state: "budget", count: 4, message: "" }, "$(warning) Nudge 4", "warning", /budget is spent/],
    [
      { state: "degraded", count: 3, message: "Claude unreachable (timeout); local suggestions only" },
      "$(cloud-offline) Nudge 3",
      "warning",
      /local suggestions only/,
    ],
    [{ state: "error", count: 0, message: "Python 3.8 is too old" }, "$(error) Nudge", "error", /Python 3\.8 is too old/],
    [{ state: "off", count: 5, message: "" }, "$(circle-slash) Nudge", "normal", /off/],
    [{ state: "starting", count: 0, message: "" }, "$(loading~spin) Nudge", "normal", /Starting/],
  ];
  for (const [status, text, tone, tooltip] of cases) {
    it(`${status.state} ${status.count}`, () => {
      const view = statusView(status);
      assert.equal(view.text, text);
      assert.equal(view.tone, tone);
      assert.match(view.tooltip, tooltip);
      assert.match(view.tooltip, /Click for Nudge commands\.$/);
    });
  }
});
