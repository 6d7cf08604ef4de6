/** The tests run against a temporary state folder, never the developer's real one. */
import assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

import { realStateFolder } from "./setup";

test("the state folder, XDG_CACHE_HOME and HOME are temporary folders", () => {
  const tmp = path.resolve(os.tmpdir());
  for (const name of ["NUDGE_CACHE_DIR", "XDG_CACHE_HOME", "HOME"]) {
    const value = process.env[name];
    assert.ok(value, `${name} is not set`);
    assert.ok(path.resolve(value).startsWith(tmp + path.sep), `${name}=${value} is not under ${tmp}`);
  }
  assert.ok(realStateFolder().startsWith(tmp + path.sep));
});
