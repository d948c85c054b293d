// Browser tests against the real system: starts `prm up --demo` on a fresh
// data directory and free ports, drives headless Debian Chromium with
// playwright-core, runs axe-core on every page, saves screenshots under
// test-results/. Usage: node e2e/run.mjs <path-to-prm> (PRM_WEB_DIR passes
// through, for development against web/dist on disk).

import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";

const here = dirname(fileURLToPath(import.meta.url));
const results = join(here, "..", "test-results");
const bin = process.argv[2] || process.env.PRM_BIN;
if (!bin) {
  console.error("usage: node e2e/run.mjs <path-to-prm>");
  process.exit(2);
}
mkdirSync(results, { recursive: true });

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
function portFree(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}
/** A run of 8 free gRPC ports below 32768 (above it the kernel hands out ephemeral ports). */
async function grpcBase() {
  for (let i = 0; i < 50; i++) {
    const base = 20000 + Math.floor(Math.random() * 1200) * 10;
    let ok = true;
    for (let p = base; p < base + 8 && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error("no free gRPC port range");
}

const dataDir = mkdtempSync(join(tmpdir(), "prm-web-e2e-"));
const httpPort = await freePort();
const base = `http://127.0.0.1:${httpPort}`;
const env = { ...process.env };
const server = spawn(bin, ["up", "--demo", "--data-dir", dataDir, "--listen", `127.0.0.1:${httpPort}`, "--grpc-port-base", String(await grpcBase())], {
  env,
  stdio: ["ignore", "pipe", "pipe"],
});
let log = "";
server.stdout.on("data", (d) => (log += d));
server.stderr.on("data", (d) => (log += d));
const stopServer = () => {
  if (server.exitCode === null) server.kill("SIGTERM");
};
process.on("exit", () => {
  stopServer();
  rmSync(dataDir, { recursive: true, force: true });
});

async function waitUp() {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (server.exitCode !== null) throw new Error(`prm exited early:\n${log}`);
    if (log.includes("prm is up")) {
      try {
        const r = await fetch(`${base}/healthz`);
        if (r.ok) return;
      } catch {
        /* not yet */
      }
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`prm did not come up:\n${log}`);
}
await waitUp();
// The demo's automatic stage moves happen shortly after seeding.
await new Promise((r) => setTimeout(r, 1500));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

const violations = [];
let passed = 0;
let failed = 0;
const PASSWORD = "demo-password";

async function newPage() {
  const ctx = await browser.newContext({ viewport: { width: 1024, height: 800 }, locale: "en-US" });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 40[14]/.test(m.text()) && !/status of 409/.test(m.text())) errors.push(m.text());
  });
  page.errors = errors;
  return { ctx, page };
}

async function check(page, name) {
  await page.waitForLoadState("networkidle").catch(() => {});
  await page.screenshot({ path: join(results, `${name}.png`), fullPage: true });
  const r = await new AxeBuilder({ page }).analyze();
  const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of bad) violations.push({ page: name, id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) });
}

async function signIn(page, email) {
  await page.goto(`${base}/`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
}

async function navNames(page) {
  return (await page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents()).map((s) => s.trim());
}

function expect(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function test(name, f) {
  const { ctx, page } = await newPage();
  const started = Date.now();
  try {
    await f(page);
    const errs = page.errors.filter((e) => !/Failed to load resource/.test(e));
    if (errs.length) throw new Error(`errors on the page: ${errs.join(" | ")}`);
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack || e}`);
    await page.screenshot({ path: join(results, `FAILED-${name.replace(/\W+/g, "-")}.png`), fullPage: true }).catch(() => {});
  } finally {
    await ctx.close();
  }
}

await test("sign-in page and a refused password", async (page) => {
  await page.goto(`${base}/`);
  await page.getByLabel("E-mail").waitFor();
  await check(page, "sign-in");
  await page.getByLabel("E-mail").fill("alice@acme.example");
  await page.getByLabel("Password").fill("wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: /invalid/i }).waitFor();
});

await test("each role sees its own navigation", async (page) => {
  const want = {
    "alice@acme.example": { has: ["Home", "Leads", "Accounts", "Projects", "Contacts", "Quotes", "Orders", "Tasks", "Cases", "Reports", "Users"], not: ["Partners"] },
    "bob@acme.example": { has: ["Leads", "Accounts", "Projects", "Contacts"], not: ["Users", "Partners"] },
    "carol@borealis.example": { has: ["Leads", "Accounts"], not: ["Users", "Partners"] },
    "maria@vendor.example": { has: ["Leads", "Accounts", "Projects"], not: ["Users", "Partners"] },
    "sam@vendor.example": { has: ["Home", "Cases"], not: ["Leads", "Accounts", "Projects", "Contacts", "Quotes", "Orders", "Users", "Partners"] },
    "victor@vendor.example": { has: ["Home", "Leads", "Partners", "Users"], not: [] },
  };
  for (const [email, w] of Object.entries(want)) {
    await signIn(page, email);
    const names = await navNames(page);
    for (const n of w.has) expect(names.includes(n), `${email} should see ${n}: ${names}`);
    for (const n of w.not) expect(!names.includes(n), `${email} should not see ${n}: ${names}`);
    await page.getByRole("heading", { name: "Home", level: 1 }).waitFor();
    await page.getByRole("heading", { name: "Statistics" }).waitFor();
    await check(page, `home-${email.split("@")[0]}`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
  }
});

await test("carol never sees Acme's accounts; maria sees them but cannot edit", async (page) => {
  await signIn(page, "carol@borealis.example");
  await page.goto(`${base}/accounts`);
  await page.getByRole("link", { name: "Fjord Hotels" }).waitFor();
  expect((await page.getByRole("link", { name: "Globex Logistics" }).count()) === 0, "carol sees Globex");
  await check(page, "accounts-carol");
  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, "maria@vendor.example");
  await page.goto(`${base}/accounts`);
  await page.getByRole("link", { name: "Globex Logistics" }).click();
  await page.getByRole("heading", { name: "Globex Logistics", level: 1 }).waitFor();
  await page.getByRole("heading", { name: "Details" }).waitFor();
  expect((await page.getByRole("button", { name: /^Edit / }).count()) === 0, "maria can edit an account");
  await check(page, "account-maria");
});

await test("list views: sort, filter, columns, save, rename and delete a view", async (page) => {
  await signIn(page, "alice@acme.example");
  for (const kind of ["leads", "accounts", "contacts", "projects"]) {
    await page.goto(`${base}/${kind}`);
    await page.locator("table.list tbody tr").first().waitFor();
    await check(page, `list-${kind}`);
  }
  await page.goto(`${base}/accounts`);
  await page.locator("table.list tbody tr").first().waitFor();
  // The view sorts by name; a click on its header turns the order round.
  await page.getByRole("button", { name: "Account name" }).click();
  await page.locator('th[aria-sort="descending"]').waitFor();
  // The rows are replaced when the server answers the new order.
  await page.waitForFunction(() => document.querySelector("table.list tbody tr td a")?.textContent === "Umbrella Clinics", null, { timeout: 10_000 }).catch(() => {});
  const first = await page.locator("table.list tbody tr td a").first().textContent();
  expect(first === "Umbrella Clinics", `sorted desc starts with ${first}`);
  await page.getByLabel("Name contains").fill("zzzz-nothing");
  await page.getByRole("button", { name: "Filter", exact: true }).click();
  await page.getByText("No accounts match this filter").waitFor();
  await check(page, "list-empty");
  await page.getByRole("button", { name: "Clear the filter" }).click();
  await page.locator("table.list tbody tr").first().waitFor();
  // Projects: a saved view on the server.
  await page.goto(`${base}/projects`);
  await page.locator("table.list tbody tr").first().waitFor();
  await page.getByText("Columns", { exact: true }).click();
  await page.getByRole("checkbox", { name: "Probability" }).check();
  await page.getByRole("columnheader", { name: "Probability" }).waitFor();
  await page.getByRole("button", { name: "Save view as…" }).click();
  await page.getByLabel("View name").fill("E2E view");
  await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
  await page.locator(".toolbar > label > select").locator("option", { hasText: "E2E view" }).waitFor({ state: "attached" });
  await page.getByRole("button", { name: "Rename view" }).click();
  await page.getByLabel("View name").fill("E2E view renamed");
  await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
  await page.locator(".toolbar > label > select").locator("option", { hasText: "E2E view renamed" }).waitFor({ state: "attached" });
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Delete view" }).click();
  await page.waitForFunction(() => ![...document.querySelectorAll("option")].some((o) => o.textContent.includes("E2E view")));
});

await test("search finds an account by a piece of its phone number", async (page) => {
  await signIn(page, "alice@acme.example");
  const box = page.getByRole("combobox", { name: "Search everything" });
  await box.fill("555 0101");
  await page.getByRole("option", { name: /Globex Logistics/ }).first().waitFor();
  await check(page, "search");
  await box.press("ArrowDown");
  const active = await page.locator('[role="option"][aria-selected="true"]').textContent();
  expect(/Globex/.test(active), `first option is ${active}`);
  await box.press("Enter");
  await page.getByRole("heading", { name: "Globex Logistics", level: 1 }).waitFor();
});

let projectName = "";
await test("a lead with a duplicate, qualified and converted; the project through the gates on the Kanban", async (page) => {
  await signIn(page, "alice@acme.example");
  await page.getByRole("button", { name: "New lead" }).click();
  const dlg = page.getByRole("dialog");
  const tag = Date.now().toString(36);
  projectName = `E2E Vandelay ${tag}`;
  await dlg.getByLabel("Company").fill(`Vandelay Imports ${tag}`);
  await dlg.getByLabel("Last name").fill("Costanza");
  await dlg.getByLabel("E-mail").fill("art@vandelay.example");
  await dlg.getByRole("button", { name: "Save lead" }).click();
  await dlg.getByRole("heading", { name: "Likely duplicates" }).waitFor();
  await check(page, "lead-duplicates");
  await dlg.getByRole("button", { name: "Save anyway" }).click();
  await dlg.getByText("It likely duplicates").waitFor();
  await dlg.getByRole("button", { name: "Open the new lead" }).click();
  await page.getByRole("heading", { name: "Costanza", level: 1 }).waitFor();
  for (const status of ["working", "qualified"]) {
    await page.getByRole("button", { name: "Edit Status" }).click();
    await page.locator(".detail-row.editing select").selectOption(status);
    await page.locator(".detail-row.editing").getByRole("button", { name: "Save" }).click();
    await page.locator(".detail-row.editing").waitFor({ state: "detached" });
  }
  await check(page, "lead");
  await page.getByRole("button", { name: "Convert lead" }).click();
  await page.getByRole("dialog").getByLabel("Project name").fill(projectName);
  await page.getByRole("dialog").getByRole("button", { name: "Convert" }).click();
  await page.locator(".converted").waitFor();
  await page.locator(".converted").getByRole("link").last().waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll(".converted a")].every((a) => a.textContent !== "…"));
  await page.locator(".converted").getByRole("link", { name: projectName }).click();
  await page.getByRole("heading", { name: projectName, level: 1 }).waitFor();
  await check(page, "project");
  const projectUrl = page.url();

  const board = async () => {
    await page.goto(`${base}/projects/board`);
    await page.locator(`.card-item:has-text("${projectName}")`).waitFor();
  };
  const totals = (stage) => page.getByTestId(`totals-${stage}`).textContent();
  const drag = async (to) => page.locator(`.card-item:has-text("${projectName}")`).dragTo(page.locator(`section.column[data-stage="${to}"]`));
  const edit = async (label, value) => {
    await page.goto(projectUrl);
    await page.getByRole("button", { name: `Edit ${label}` }).click();
    const input = page.locator(".detail-row.editing input");
    if (value === true) await input.check();
    else await input.fill(String(value));
    await page.locator(".detail-row.editing").getByRole("button", { name: "Save" }).click();
    await page.locator(".detail-row.editing").waitFor({ state: "detached" });
  };

  // Intro → Demo is refused until Users of POC is given.
  await board();
  await check(page, "kanban");
  const introBefore = await totals("intro_qualification");
  await drag("demo");
  await page.getByRole("alert").filter({ hasText: /stays in Intro/ }).waitFor();
  const message = await page.locator(".board-alert").textContent();
  expect(/users[ _]of[ _]poc/i.test(message), `the refusal names the field: ${message}`);
  expect((await page.locator(`section.column[data-stage="intro_qualification"] .card-item:has-text("${projectName}")`).count()) === 1, "the card went back");
  await check(page, "kanban-refused");
  await edit("Users of POC", 12);
  await board();
  const demoBefore = await totals("demo");
  await drag("demo");
  await page.locator(`section.column[data-stage="demo"] .card-item:has-text("${projectName}")`).waitFor();
  await page.waitForFunction(([s, t]) => document.querySelector(`[data-testid="totals-${s}"]`)?.textContent !== t, ["demo", demoBefore]);
  expect((await totals("intro_qualification")) !== introBefore, "intro totals changed");
  // Demo → Project Presentation needs Amount MRR or Capex.
  await drag("project_presentation");
  await page.getByRole("alert").filter({ hasText: /stays in Demo/ }).waitFor();
  await edit("Amount MRR", "450.00");
  await page.getByRole("heading", { name: "Demo Answers" }).waitFor();
  await check(page, "project-demo");
  await board();
  await drag("project_presentation");
  await page.locator(`section.column[data-stage="project_presentation"] .card-item:has-text("${projectName}")`).waitFor();
  // The keyboard way: the card's "Move to stage…" menu.
  const card = page.locator(`.card-item:has-text("${projectName}")`);
  await card.locator("summary").click();
  await card.getByRole("button", { name: "Proposal" }).click();
  await page.locator(`section.column[data-stage="proposal"] .card-item:has-text("${projectName}")`).waitFor();
  await page.goto(projectUrl);
  await page.locator('.stage-path li[aria-current="step"]').filter({ hasText: "Proposal" }).waitFor();
  await page.getByText("Demo Done").waitFor();
  await check(page, "project-proposal");
});

await test("follow, clone, change owner, add a note and a file (alice)", async (page) => {
  await signIn(page, "alice@acme.example");
  await page.goto(`${base}/projects`);
  await page.getByRole("link", { name: "Globex: 40-seat pilot" }).click();
  await page.getByRole("heading", { name: "Globex: 40-seat pilot", level: 1 }).waitFor();
  await page.getByRole("button", { name: "Follow", exact: true }).click();
  await page.getByRole("button", { name: "Unfollow" }).waitFor();
  await page.getByLabel("Add a note").fill("Called Hank: pilot starts next week.");
  await page.getByRole("button", { name: "Add note" }).click();
  await page.getByText("Called Hank: pilot starts next week.").waitFor();
  await page.getByLabel("Upload a file").setInputFiles({ name: "pilot-plan.txt", mimeType: "text/plain", buffer: Buffer.from("pilot plan\n") });
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await page.getByRole("button", { name: "pilot-plan.txt" }).waitFor();
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "pilot-plan.txt" }).click();
  expect((await download).suggestedFilename() === "pilot-plan.txt", "downloaded the file");
  await page.getByRole("button", { name: "Change owner" }).click();
  await page.getByRole("dialog").getByLabel("New owner (a colleague)").selectOption({ label: "Alice Admin (Partner admin)" });
  await page.getByRole("dialog").getByRole("button", { name: "Change owner" }).click();
  await page.locator(".page-head").getByText("Owner Alice Admin").waitFor();
  await page.locator("table.compact").getByText("Owner").first().waitFor();
  await check(page, "project-related");
  await page.getByRole("button", { name: "Clone" }).click();
  await page.getByRole("dialog").getByLabel("Name of the copy").fill("Globex: 40-seat pilot (copy)");
  await page.getByRole("dialog").getByRole("button", { name: "Clone" }).click();
  await page.getByRole("heading", { name: "Globex: 40-seat pilot (copy)", level: 1 }).waitFor();
});

await test("a refused edit shows the server's message on the field", async (page) => {
  await signIn(page, "alice@acme.example");
  await page.goto(`${base}/accounts`);
  await page.getByRole("link", { name: "Stark Retail" }).click();
  await page.getByRole("button", { name: "Edit Website" }).click();
  await page.locator(".detail-row.editing input").fill("not a web address");
  await page.locator(".detail-row.editing").getByRole("button", { name: "Save" }).click();
  await page.locator(".detail-row.editing .field-error").filter({ hasText: "is not a web address" }).waitFor();
  await check(page, "account-field-error");
});

await test("part 2 list pages and the support agent's cases", async (page) => {
  await signIn(page, "alice@acme.example");
  for (const kind of ["quotes", "orders", "tasks", "cases", "reports", "users"]) {
    await page.goto(`${base}/${kind}`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await page.waitForLoadState("networkidle");
    await check(page, `list-${kind}`);
  }
  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, "sam@vendor.example");
  await page.goto(`${base}/cases`);
  await page.locator("table.list tbody tr").first().waitFor();
  await check(page, "cases-sam");
});

await browser.close();
stopServer();

if (violations.length) {
  console.log(`\naxe-core: ${violations.length} serious or critical violations`);
  for (const v of violations) console.log(`  [${v.page}] ${v.impact} ${v.id}: ${v.help} — ${v.nodes.join(", ")}`);
  failed++;
  console.log("FAIL axe-core: serious or critical violations");
} else {
  passed++;
  console.log("ok   axe-core: no serious or critical violations on any page");
}
writeFileSync(join(results, "axe.json"), JSON.stringify(violations, null, 2));
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
