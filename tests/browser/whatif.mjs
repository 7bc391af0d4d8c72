// Drives garita serve's what-if page in a real browser (Debian's Chromium through
// playwright-core), as a planner would: drag a booth bar, read the new mean wait, save the
// scenario and check it with `garita run`, download the report, switch to Spanish, type a
// broken value. Run by tests/cli/serve.rs, which starts and always stops the server:
//
//   node whatif.mjs BASE_URL GARITA_BINARY REPO_ROOT OUT_DIR
//
// Screenshots go to OUT_DIR (a CI artefact). Exits non-zero on the first failed check.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [base, garita, root, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: node whatif.mjs BASE_URL GARITA_BINARY REPO_ROOT OUT_DIR");
  process.exit(2);
}
mkdirSync(out, { recursive: true });

let passed = 0;
let failed = 0;
function check(what, ok, detail) {
  if (ok) {
    passed++;
    console.log(`ok - ${what}`);
  } else {
    failed++;
    console.log(`not ok - ${what}: ${detail}`);
    throw new Error(`${what}: ${detail}`);
  }
}

const TIMEOUT = 60_000;
const profile = mkdtempSync(join(tmpdir(), "garita-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.GARITA_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
  acceptDownloads: true,
  viewport: { width: 1360, height: 1000 },
});
context.setDefaultTimeout(TIMEOUT);
const page = context.pages()[0] || (await context.newPage());
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(String(e)));

// Waits until the page shows the results of a request newer than `seq`.
async function settled(seq) {
  await page.waitForFunction(
    (s) => {
      const r = document.getElementById("results");
      return r.dataset.state === "ready" && Number(r.dataset.seq || 0) > s;
    },
    seq,
    { timeout: TIMEOUT },
  );
  return Number(await page.getAttribute("#results", "data-seq"));
}

try {
  await page.goto(`${base}/?scenario=ysleta-pov&lang=en`);
  let seq = await settled(0);
  const before = {
    chart: await page.innerHTML("#chart-wait"),
    mean: await page.textContent("#wait-mean"),
  };
  check("the page opens with results", /\d\.\d ± \d\.\d/.test(before.mean), before.mean);
  check("the charts are drawn", before.chart.includes("<svg"), before.chart.slice(0, 80));

  // A bar below its lane's maximum, in the day, dragged to the top.
  const target = await page.evaluate(() => {
    for (const bar of document.querySelectorAll(".bars .bar")) {
      const h = Number(bar.dataset.hour);
      const n = Number(bar.getAttribute("aria-valuenow"));
      const max = Number(bar.getAttribute("aria-valuemax"));
      if (h >= 6 && h <= 20 && n > 0 && n < max) {
        return { lane: bar.parentElement.dataset.lane, hour: h, n, max };
      }
    }
    return null;
  });
  check("a booth bar can be raised", target !== null, "every bar is at its maximum");
  const bars = page.locator(`.bars[data-lane="${target.lane}"]`);
  const box = await bars.boundingBox();
  const x = box.x + ((target.hour + 0.5) / 24) * box.width;
  await page.mouse.move(x, box.y + box.height - 2);
  await page.mouse.down();
  await page.mouse.move(x, box.y + box.height / 2, { steps: 4 });
  await page.mouse.move(x, box.y + 1, { steps: 4 });
  await page.mouse.up();
  const bar = bars.locator(`.bar[data-hour="${target.hour}"]`);
  const dragged = Number(await bar.getAttribute("aria-valuenow"));
  check("dragging raises the bar to its maximum", dragged === target.max, `${target.n} -> ${dragged}`);
  seq = await settled(seq);
  await page.waitForFunction(
    (old) => document.getElementById("chart-wait").innerHTML !== old,
    before.chart,
    { timeout: TIMEOUT },
  );
  check("the wait chart changes after the drag", true, "");
  const change = await page.textContent("#change");
  check("the change against the baseline is shown", /^[−+]?\d/.test(change), change);

  // Keyboard: the same bar down one booth and back up.
  await bar.focus();
  await page.keyboard.press("ArrowDown");
  check("ArrowDown lowers a focused bar", Number(await bar.getAttribute("aria-valuenow")) === target.max - 1, "");
  await page.keyboard.press("ArrowUp");
  check("ArrowUp raises it", Number(await bar.getAttribute("aria-valuenow")) === target.max, "");
  seq = await settled(seq);

  const shownMean = (await page.textContent("#wait-mean")).trim();
  const shownMeanS = await page.getAttribute("#wait-mean", "data-mean-s");

  // Save scenario: it must pass `garita check` and give the same numbers with `garita run`.
  const [saved] = await Promise.all([page.waitForEvent("download"), page.click("#save")]);
  const toml = join(out, "whatif.toml");
  await saved.saveAs(toml);
  const checked = execFileSync(garita, ["check", toml], { cwd: root, encoding: "utf8" });
  check("the saved scenario passes garita check", checked.includes(": ok ("), checked);
  const runDir = join(out, "whatif-run");
  rmSync(runDir, { recursive: true, force: true });
  const printed = execFileSync(garita, ["run", toml, "-o", runDir], { cwd: root, encoding: "utf8" });
  const allRow = printed.split("\n").find((l) => l.startsWith("all "));
  const cliMean = allRow ? allRow.trim().split(/\s{2,}/)[2] : "";
  check("the page's mean wait is what garita run prints", cliMean === shownMean, `page ${shownMean}, garita run ${cliMean}`);
  const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
  const all = summary.groups.find((g) => g.group === "all");
  check(
    "the page's mean wait is summary.json's, to the last digit",
    Number(shownMeanS) === all.metrics.wait_mean_s.mean,
    `page ${shownMeanS}, summary.json ${all.metrics.wait_mean_s.mean}`,
  );

  // Report: the self-contained report of the current state.
  const [report] = await Promise.all([page.waitForEvent("download"), page.click("#report")]);
  const reportPath = join(out, "whatif-report.html");
  await report.saveAs(reportPath);
  const html = readFileSync(reportPath, "utf8");
  check("the report is self-contained with its charts", html.includes("<svg") && !html.includes("<script"), "");
  check("the report carries the key figures and the comparison", html.includes("Key figures") && html.includes("this what-if"), "");

  await page.screenshot({ path: join(out, "serve-page-en.png"), fullPage: false });

  // Spanish: translated labels and decimal commas.
  await page.click("#lang-es");
  seq = await settled(seq);
  const heading = await page.textContent("#h-booths");
  check("the booth heading is in Spanish", heading === "Casetas abiertas por hora", heading);
  const esMean = (await page.textContent("#wait-mean")).trim();
  check("the mean wait has a decimal comma in Spanish", /^\d+,\d ± \d+,\d$/.test(esMean), esMean);
  check("the number is the same in both languages", esMean === shownMean.replaceAll(".", ","), `${shownMean} / ${esMean}`);
  const esFigures = await page.textContent("#figures");
  check("the key figures are in Spanish", esFigures.includes("Cifras clave"), esFigures.slice(0, 80));

  // A broken value: the error is shown, with the key and what is wrong.
  await page.fill("#scale-text", "-1");
  await page.press("#scale-text", "Tab");
  await page.waitForSelector("#errors:not([hidden])", { timeout: TIMEOUT });
  const err = await page.textContent("#errors");
  check("a broken value shows the validation error", err.includes("demand.scale") && err.includes("-1"), err);
  check("the error is in the Spanish heading", err.includes("Este cambio no se puede simular"), err);
  await page.screenshot({ path: join(out, "serve-page-es-error.png"), fullPage: true });
  check("no script error on the page", pageErrors.length === 0, pageErrors.join("; "));
} catch (e) {
  if (!String(e.message).includes(": ")) failed++;
  console.log(`error: ${e.stack || e}`);
  try {
    await page.screenshot({ path: join(out, "serve-page-failure.png"), fullPage: true });
  } catch {}
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
