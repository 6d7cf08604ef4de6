// Drive the installed extension in VS Code for the web (see ../shared/tools/vscode-web):
// open FILE, wait for a squiggle, read the Nudge status bar item, click it and list the
// command menu, then open the quick fixes on the first squiggle and take the screenshot
// used in the README. Prints one JSON line; exit status 0 only when every step worked.
// Usage (from the vscode-web PREFIX, where playwright-core resolves):
//   node client-vscode/scripts/vscode-web-check.mjs http://127.0.0.1:8123/ FILE OUT.png
import { createRequire } from "node:module";

const require = createRequire(process.cwd() + "/");
const { chromium } = require("playwright-core");
const [url, file, screenshot] = process.argv.slice(2);
const result = { ok: false };
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 560 } });
  await page.goto(url, { waitUntil: "domcontentloaded" });
  await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
  await page.waitForTimeout(2000);
  await page.keyboard.press("Control+P");
  await page.keyboard.type(file);
  await page.waitForTimeout(800);
  await page.keyboard.press("Enter");
  const squiggle = await page.waitForSelector(".squiggly-info, .squiggly-hint, .squiggly-warning", { timeout: 60000 });
  const status = await page.waitForSelector('.statusbar-item[id$="nudge.status"]', { timeout: 20000 });
  await page.waitForTimeout(500);
  result.status = (await status.innerText()).trim();
  await status.click();
  await page.waitForSelector(".quick-input-widget .monaco-list-row", { timeout: 10000 });
  result.menu = await page.$$eval(".quick-input-widget .monaco-list-row", (rows) => rows.map((r) => r.innerText.trim()));
  await page.keyboard.press("Escape");
  const box = await squiggle.boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.keyboard.press("Control+.");
  await page.waitForSelector(".action-widget .monaco-list-row", { timeout: 10000 });
  result.quickFixes = await page.$$eval(".action-widget .monaco-list-row", (rows) => rows.map((r) => r.innerText.trim()));
  await page.screenshot({ path: screenshot });
  result.ok = /Nudge \d+/.test(result.status) && result.menu.length >= 7 && result.quickFixes.some((f) => /Replace/.test(f));
} catch (error) {
  result.error = String(error);
} finally {
  await browser.close();
  console.log(JSON.stringify(result));
  process.exit(result.ok ? 0 : 1);
}
