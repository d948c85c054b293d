// A benchmark, not a test: how big the portal's first load is and how long a
// signed-in partner waits for an interactive Home page and an interactive
// Kanban board when the partner has many projects (50,000 by default), in
// headless Debian Chromium.
//
//   node e2e/tti.mjs <path-to-prm> [--projects 50000] [--other 10000]
//        [--runs 7] [--warmup 1] [--timeout 60000] [--json out.json]
//        [--screenshots]   (Home, the list and the board of the first run, in test-results/)
//        [--pin]           (the server on CPU 0, the browser on CPU 1: on a small machine a
//                           cold page load keeps Chromium busy on both cores and the server's
//                           answers wait for CPU; pinned, each has one core of its own)
//
// It starts `prm up --demo` on a fresh data directory under the system's
// temporary folder and free ports (rate limits lifted), writes the projects
// straight into the project service's SQLite file (bob@acme.example's
// partner, owner bob, one of bob's accounts; --other more for
// carol@borealis.example's partner, so that scoping is exercised), checks
// through the REST API that the board counts them, then measures each run in
// fresh browser contexts (cold HTTP cache) and again in the same context
// (warm cache). Nothing here is timed by Playwright: the page itself writes
// the moments, with performance.now() (milliseconds since navigation start):
//
// - Home interactive: the first moment (checked after every DOM mutation)
//   at which the h1 reads "Home", the six statistics each show a figure,
//   "Open projects" a number, the "Open projects by stage" chart is drawn,
//   and the global search field is enabled, editable and has a size; then
//   the next frame is painted (requestAnimationFrame, then a task): that
//   painted moment is the figure.
// - Board interactive: every column of the board is there, each shows its
//   count ("N projects") and, when N > 0, its first card with a title; and
//   one card is draggable with a visible, focusable title link; then painted.
//   "navigation": from navigation start of /projects/board (all projects);
//   "click": from the click event on "Display as Kanban" on the project list
//   (the list's view, All open projects) to the same moment, without a page
//   load.
// - Also written: when the cards' account names have arrived (they are read
//   one request per account after the board shows), and the long tasks.
// - Between those, from Resource Timing: when the document, the scripts, the
//   session restore (POST /api/v1/auth/session/refresh, which every full page
//   load waits for: the access token lives in memory only), /api/v1/home and
//   the board's answer were asked and received, their server time as the
//   browser saw it (request start → first byte), and the gateway's own time
//   for them (its log line for the answer's x-request-id, when it logs one).
//
// - The renderer's main thread by the moment it is seen interactive (sampled
//   up to 50 ms later): Performance.getMetrics TaskDuration, ScriptDuration,
//   RecalcStyleDuration + LayoutDuration, as deltas. They are wall time inside
//   tasks: on a busy machine they include the time the thread waited for a core.
//
// Signed in without timing it: each context starts from the portal's own
// sign-in done from here (POST /api/v1/auth/session → the HttpOnly refresh
// cookie, plus the "this browser signed in" flag in localStorage), so its
// first load is a returning visitor's with an empty cache. Cold: the first
// load in a new context (empty HTTP cache, new connections, nothing compiled);
// warm: the same URL loaded again in the same tab. The click is measured
// once right after the list's first load in a new context ("cold") and again
// after going back to the list with "Display as list" ("warm").
//
// Transfer: bytes over the wire from the DevTools protocol
// (Network.loadingFinished encodedDataLength: headers and body as received)
// and the decoded sizes from Resource Timing, for the document, the scripts
// and the styles of the page; the API's answers are counted apart.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { freePort, grpcBase } from "./ports.mjs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const PASSWORD = "demo-password";
const BOB = "bob@acme.example";
const CAROL = "carol@borealis.example";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const VIEWPORT = { width: 1280, height: 800 };

// --- arguments --------------------------------------------------------------

function parseArgs(argv) {
  const opts = { bin: "", projects: 50_000, other: 10_000, runs: 7, warmup: 1, timeout: 60_000, json: "", screenshots: false, pin: false };
  const numeric = new Set(["projects", "other", "runs", "warmup", "timeout"]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-h" || a === "--help") {
      opts.help = true;
    } else if (a === "--screenshots" || a === "--pin") {
      opts[a.slice(2)] = true;
    } else if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const k = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const inline = eq < 0 ? undefined : a.slice(eq + 1);
      if (!(k in opts) || ["bin", "screenshots", "pin"].includes(k)) throw new Error(`unknown option --${k}`);
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`--${k} needs a value`);
      if (numeric.has(k)) {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new Error(`--${k} must be a whole number, not ${v}`);
        opts[k] = n;
      } else opts[k] = v;
    } else if (!opts.bin) opts.bin = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!opts.help && !opts.bin) opts.bin = process.env.PRM_BIN || "";
  return opts;
}

const USAGE = "usage: node e2e/tti.mjs <path-to-prm> [--projects 50000] [--other 10000] [--runs 7] [--warmup 1] [--timeout 60000] [--json FILE] [--screenshots] [--pin]";
let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(`${e.message}\n${USAGE}`);
  process.exit(2);
}
if (opts.help || !opts.bin) {
  console.error(USAGE);
  process.exit(opts.help ? 0 : 2);
}
if (opts.pin && (cpus().length < 2 || spawnSync("taskset", ["-c", "0", "true"]).status !== 0)) {
  console.error("--pin needs taskset and at least 2 CPUs");
  process.exit(2);
}
if (opts.runs < 1 || opts.timeout < 1000) {
  console.error("--runs must be at least 1 and --timeout at least 1000 (ms)");
  process.exit(2);
}
const bin = resolve(opts.bin);
if (!existsSync(bin)) {
  console.error(`no prm binary at ${bin}`);
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);
  process.exit(2);
}

// --- the server ---------------------------------------------------------------

// Everything this run writes: the server's data and, with --pin, the browser's wrapper.
const workDir = mkdtempSync(join(tmpdir(), "prm-tti-"));
const dataDir = join(workDir, "data");
mkdirSync(dataDir);
let server = null;
let browser = null;
let log = "";
const LOG_KEEP = 1024 * 1024;
const keepLog = (d) => {
  log += d;
  if (log.length > 2 * LOG_KEEP) log = log.slice(-LOG_KEEP);
};

function removeDataDir() {
  try {
    rmSync(workDir, { recursive: true, force: true });
  } catch {
    /* the next run of the system cleaner takes it */
  }
}

let stopping = false;
async function stopServer() {
  stopping = true;
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((done) => server.once("exit", done));
  server.kill("SIGTERM");
  const t = setTimeout(() => server.exitCode === null && server.signalCode === null && server.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(t);
}

let cleaning = null;
function cleanUp() {
  cleaning ??= (async () => {
    if (browser) await browser.close().catch(() => {});
    await stopServer().catch(() => {});
    removeDataDir();
  })();
  return cleaning;
}
// Last resort (an exception that escaped, process.exit): synchronous only.
process.on("exit", () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
  removeDataDir();
});
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping the server and removing ${workDir}`);
    void cleanUp().finally(() => process.exit(130));
  });
}

function serverNotes(n = 15) {
  const noted = log.split("\n").filter((l) => /WARN|ERROR|panicked/.test(l)).slice(-n);
  return noted.length ? `\nserver warnings and errors, last ${noted.length}:\n  ${noted.join("\n  ")}` : "";
}

async function startServer() {
  const httpPort = await freePort();
  const base = `http://127.0.0.1:${httpPort}`;
  const env = {
    ...process.env,
    // The benchmark signs in a few times a run and reads a lot: no throttles.
    PRM_SIGN_IN_PER_ACCOUNT: "100000",
    PRM_RATE_LIMIT_PER_USER: "1000000",
    PRM_RATE_LIMIT_PER_IP: "1000000",
  };
  // The binary's own copy of the portal is measured, not a folder on disk.
  delete env.PRM_WEB_DIR;
  const grpc = await grpcBase();
  const args = ["up", "--demo", "--data-dir", dataDir, "--listen", `127.0.0.1:${httpPort}`, "--grpc-port-base", String(grpc)];
  // taskset execs the binary: the child's pid is the server's.
  server = spawn(opts.pin ? "taskset" : bin, opts.pin ? ["-c", "0", bin, ...args] : args, {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout.on("data", keepLog);
  server.stderr.on("data", keepLog);
  server.once("exit", (code, signal) => {
    if (!stopping) console.error(`\nprm exited by itself (${code ?? signal}) while being measured; its last words:\n${log.slice(-3000)}`);
  });
  const until = Date.now() + 180_000;
  while (Date.now() < until) {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error(`prm exited early (${server.exitCode ?? server.signalCode}):\n${log.slice(-4000)}`);
    if (log.includes("prm is up")) {
      try {
        const r = await fetch(`${base}/healthz`);
        if (r.ok && (await r.text()).trim() === "ok") return base;
      } catch {
        /* not yet */
      }
    }
    await sleep(300);
  }
  throw new Error(`prm did not answer ${base}/healthz with "ok" within 180 s:\n${log.slice(-4000)}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- the REST API ---------------------------------------------------------------

async function rest(base, token, path) {
  const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}`, accept: "application/json" }, signal: AbortSignal.timeout(60_000) });
  const text = await r.text();
  if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

async function login(base, email) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD }),
    signal: AbortSignal.timeout(60_000),
  });
  if (!r.ok) throw new Error(`sign-in of ${email} through /api/v1/auth/login: ${r.status} ${await r.text()}`);
  return (await r.json()).access_token;
}

/** Who the person is and the accounts they see, for seeding. */
async function person(base, email) {
  const token = await login(base, email);
  const me = await rest(base, token, "/api/v1/me");
  const accounts = (await rest(base, token, "/api/v1/accounts?page_size=100")).items ?? [];
  // One of the person's accounts: one they own, else any they see.
  const account = accounts.find((a) => a.owner_id === me.id) ?? accounts[0];
  if (!me.partner_id) throw new Error(`${email} has no partner`);
  if (!account) throw new Error(`${email} sees no account to put projects on`);
  return { email, token, me, account };
}

async function boardCounts(base, token, view = "") {
  const b = await rest(base, token, `/api/v1/projects/board?record_type=new_business&page_size=1${view ? `&view=${view}` : ""}`);
  return Object.fromEntries(b.columns.map((c) => [c.stage, c.count]));
}

/**
 * The portal's own sign-in (POST /api/v1/auth/session): its HttpOnly refresh
 * cookie and the "this browser signed in" flag, as a Playwright storage
 * state. A context made from it opens the portal signed in, restoring the
 * session from the cookie as a returning visitor's browser does, with an
 * empty HTTP cache.
 */
async function sessionState(base, email) {
  const r = await fetch(`${base}/api/v1/auth/session`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", "X-PRM-CSRF": "1" },
    body: JSON.stringify({ email, password: PASSWORD }),
    signal: AbortSignal.timeout(60_000),
  });
  if (!r.ok) throw new Error(`sign-in of ${email} through /api/v1/auth/session: ${r.status} ${await r.text()}`);
  const cookies = [];
  for (const line of r.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(";").map((s) => s.trim());
    const eq = pair.indexOf("=");
    const c = { name: pair.slice(0, eq), value: pair.slice(eq + 1), domain: "127.0.0.1", path: "/", expires: -1, httpOnly: false, secure: false, sameSite: "Lax" };
    for (const a of attrs) {
      const [k, v = ""] = a.split("=");
      const key = k.toLowerCase();
      if (key === "path") c.path = v;
      else if (key === "max-age") c.expires = Math.floor(Date.now() / 1000) + Number(v);
      else if (key === "httponly") c.httpOnly = true;
      else if (key === "secure") c.secure = true;
      else if (key === "samesite") c.sameSite = v[0].toUpperCase() + v.slice(1).toLowerCase();
    }
    cookies.push(c);
  }
  if (!cookies.length) throw new Error(`sign-in of ${email} set no cookie`);
  return { cookies, origins: [{ origin: base, localStorage: [{ name: "prm.session", value: "1" }] }] };
}

// --- seeding --------------------------------------------------------------------

// Writes the projects as the project service stores them (see
// services/project/src/store/migration.rs and tests/benches/common/mod.rs):
// ids are UUIDv7 as 16-byte blobs, timestamps RFC 3339 text, money integer
// units of 1/10,000 (computed amounts rounded to the cent), Expected MRR =
// Total Users x the vendor's weighted average prices of the solutions
// (read from quote.db), Weighted Pipeline = MRR x the stage's probability
// (read from the service's settings), the gates' fields filled for the
// stages past them, and a search document per project, as the service
// writes with each project. The board and the home statistics are counted
// from the projects table itself (no derived totals, no cache).
const SEED_PY = String.raw`
import json, os, random, sqlite3, sys, time, unicodedata, uuid
from datetime import datetime, timedelta, timezone

cfg = json.loads(sys.argv[1])
rng = random.Random(cfg.get("seed", 42))
STAGES = ["intro_qualification", "demo", "project_presentation", "proposal", "contract_out", "order_management", "closed_won", "closed_lost"]
LABELS = {"intro_qualification": "Intro / Qualification", "demo": "Demo", "project_presentation": "Project Presentation", "proposal": "Proposal",
          "contract_out": "Contract out", "order_management": "Order Management", "closed_won": "Closed won", "closed_lost": "Closed lost"}
# A funnel over every stage of new business: many early projects, fewer late ones, a year of closed ones (out of 50).
WEIGHTS = [10, 8, 7, 6, 3, 2, 7, 7]
SLOTS = [s for s, w in zip(STAGES, WEIGHTS) for _ in range(w)]
WHAT = ["rollout", "pilot", "contact centre", "branch phones", "warehouse phones", "migration", "renewal", "expansion", "hotline", "field team"]
LOST = ["Budget", "Went with a competitor", "No decision", "Timing", "Requirements not met"]

db = sqlite3.connect(cfg["db"], timeout=60, isolation_level=None)
db.execute("PRAGMA busy_timeout=60000")
prob = {"intro_qualification": 10, "demo": 20, "project_presentation": 40, "proposal": 60, "contract_out": 80, "order_management": 90, "closed_won": 100, "closed_lost": 0}
row = db.execute("SELECT value FROM settings WHERE key = 'probabilities'").fetchone()
if row:
    prob.update(json.loads(row[0]))
waps = (185000, 98000, 52000)  # licenses, HWaaS, CLASSOUND per user and month, in units of 1/10,000 EUR
try:
    q = sqlite3.connect("file:" + cfg["quote_db"] + "?mode=ro", uri=True, timeout=30)
    w = q.execute("SELECT licenses_units, hwaas_units, classound_units FROM weighted_average_prices WHERE currency = 'EUR'").fetchone()
    if w:
        waps = w
    q.close()
except sqlite3.Error:
    pass

now = datetime.now(timezone.utc)
today = now.date()


def uuid7(ms):
    r = int.from_bytes(os.urandom(10), "big")
    v = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (r >> 62 & 0xFFF) << 64 | 0b10 << 62 | (r & ((1 << 62) - 1))
    return uuid.UUID(int=v).bytes


def fold(s):
    # What the search index keeps: lower case without accents.
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).lower()


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def cents(units):
    # Half away from zero (every amount here is positive).
    return (units + 50) // 100 * 100


started = time.time()
out = []
db.execute("BEGIN IMMEDIATE")
for g in cfg["groups"]:
    partner, owner = uuid.UUID(g["partner_id"]).bytes, uuid.UUID(g["owner_id"]).bytes
    account, account_name = uuid.UUID(g["account_id"]).bytes, g["account_name"]
    rows, docs, by_stage = [], [], dict.fromkeys(STAGES, 0)
    for i in range(g["n"]):
        stage = SLOTS[i % len(SLOTS)]
        k = STAGES.index(stage)
        by_stage[stage] += 1
        users = rng.choice([5, 10, 12, 20, 25, 40, 50, 80, 120, 200, 350, 500])
        hwaas, classound = rng.random() < 0.6, rng.random() < 0.2
        per_user = waps[0] + (waps[1] if hwaas else 0) + (waps[2] if classound else 0)
        mrr = cents(users * per_user)
        closed = stage in ("closed_won", "closed_lost")
        close = today - timedelta(days=rng.randrange(0, 365)) if closed else today + timedelta(days=rng.randrange(0, 540))
        created = now - timedelta(days=rng.randrange(30, 730), seconds=rng.randrange(86400))
        updated = created + (now - created) * rng.random()
        demo_done = (k >= 2 and stage != "closed_lost") or (stage == "closed_lost" and rng.random() < 0.5)
        name = f"{account_name}: {users}-seat {WHAT[i % len(WHAT)]} {i + 1:05d}"
        pid = uuid7(int(created.timestamp() * 1000))
        p = int(prob.get(stage, 0))
        rows.append((
            pid, partner, owner, account, name, "new_business", stage, p, close.isoformat(), users,
            max(1, users // 5) if k >= 1 or rng.random() < 0.5 else None,  # Users of POC: the gate out of Intro
            1, int(hwaas), int(classound),
            cents(users * per_user * 9 // 10) if k >= 2 else None,  # Amount MRR: the gate out of Demo
            None,
            int(k >= 3 or rng.random() < 0.3),  # Verbal Agreement: the gate out of Proposal
            "EUR", "", "", mrr, mrr, cents(mrr * p // 100), None, None, "{}",
            (created + timedelta(days=14)).date().isoformat() if demo_done else None,
            mrr if demo_done else None,
            int(demo_done and rng.random() < 0.4),
            rng.choice(LOST) if stage == "closed_lost" else "",
            "", ts(created), ts(updated),
        ))
        docs.append(("project", pid, partner, name, LABELS[stage] + " · closes " + close.isoformat(), fold(name), fold(name), ""))
    db.executemany(
        "INSERT INTO projects (id, partner_id, owner_id, account_id, name, record_type, stage, probability, close_date, total_users, "
        "users_of_poc, solution_licenses, solution_hwaas, solution_classound, amount_mrr_units, capex_units, verbal_agreement, currency, "
        "description, next_step, expected_mrr_units, mrr_units, weighted_pipeline_units, primary_quote_id, primary_quote_mrr_units, "
        "demo_answers, demo_date, pipeline_mrr_units, approved_by_am, lost_reason, held_event, create_time, update_time) "
        "VALUES (" + ",".join("?" * 33) + ")", rows)
    db.executemany("INSERT INTO search_documents (record_type, record_id, partner_id, title, subtitle, title_key, terms, digits) VALUES (?,?,?,?,?,?,?,?)", docs)
    out.append({"partner_id": g["partner_id"], "n": g["n"], "by_stage": by_stage})
db.execute("COMMIT")
db.close()
print(json.dumps({"seconds": round(time.time() - started, 1), "groups": out}))
`;

function seed(groups) {
  const cfg = { db: join(dataDir, "project.db"), quote_db: join(dataDir, "quote.db"), groups };
  if (!existsSync(cfg.db)) throw new Error(`no ${cfg.db}: does this prm keep the project service in project.db?`);
  const r = spawnSync("python3", ["-c", SEED_PY, JSON.stringify(cfg)], { encoding: "utf8", timeout: 600_000, maxBuffer: 16 << 20 });
  if (r.error) throw new Error(`seeding with python3: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`seeding with python3 failed (${r.status ?? r.signal}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

// --- in the page ----------------------------------------------------------------

/**
 * Runs in every document before the portal's own script: writes the moments
 * at which Home and the board are interactive, the clicks, and the long tasks.
 */
function pageProbe(expect) {
  const t = { marks: {}, longTasks: [], click: null };
  Object.defineProperty(window, "__tti", { value: t });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) t.longTasks.push([Math.round(e.startTime), Math.round(e.duration)]);
    }).observe({ type: "longtask", buffered: true });
  } catch {
    /* no long task timing */
  }
  const shown = (el) => {
    if (!el || !el.isConnected) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const checks = {
    home() {
      const h1 = document.querySelector("main h1");
      if (!h1 || h1.textContent.trim() !== "Home") return false;
      const stats = document.querySelector('section[aria-labelledby="stats-title"]');
      if (!stats) return false;
      const figures = [...stats.querySelectorAll("dl.stats .stat")];
      if (figures.length !== 6 || figures.some((f) => !f.querySelector("dd")?.textContent.trim())) return false;
      const open = figures.find((f) => f.querySelector("dt")?.textContent.trim() === "Open projects");
      if (!open || !/^[\d,.\s\u202f\u00a0]+$/.test(open.querySelector("dd").textContent.trim())) return false;
      if (!stats.querySelector("svg.chart, p.empty")) return false;
      const search = document.getElementById("global-search");
      if (!search || search.disabled || search.readOnly || !shown(search)) return false;
      return shown(open);
    },
    board() {
      const cols = document.querySelectorAll(".board section.column");
      if (cols.length < expect.boardColumns) return false;
      for (const c of cols) {
        // The count as the locale groups it ("10,001 projects").
        const m = /^([\d,.\s\u202f\u00a0]+) projects?$/.exec(c.querySelector(".totals .count")?.textContent.trim() ?? "");
        if (!m) return false;
        if (Number(m[1].replace(/\D/g, "")) > 0 && !c.querySelector("li.card-item a.card-title")?.textContent.trim()) return false;
      }
      const card = document.querySelector('.board li.card-item[draggable="true"] a.card-title');
      return !!card && card.tabIndex >= 0 && shown(card);
    },
    boardNames() {
      if (!t.marks.board) return false;
      const links = document.querySelectorAll('.board li.card-item a[href^="/accounts/"]');
      return links.length > 0 && [...links].every((a) => a.textContent.trim() && a.textContent.trim() !== "…");
    },
  };
  const mark = (name) => {
    const m = { dom: performance.now(), paint: null };
    t.marks[name] = m;
    performance.mark(`tti:${name}`);
    // The frame that shows it: the task after the next animation frame runs once that frame is painted.
    requestAnimationFrame(() => setTimeout(() => (m.paint = performance.now()), 0));
  };
  const tick = () => {
    for (const [name, ready] of Object.entries(checks)) if (!t.marks[name] && ready()) mark(name);
  };
  // The click that starts an in-app navigation: its event time, and the board's moments start again.
  document.addEventListener(
    "click",
    (e) => {
      t.click = { at: e.timeStamp, what: e.target?.closest?.("a, button")?.textContent.trim() ?? "" };
      delete t.marks.board;
      delete t.marks.boardNames;
    },
    true,
  );
  new MutationObserver(tick).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  addEventListener("load", tick);
}

/** What the page took, from Resource Timing, and the probe's moments. */
function pageReport() {
  const path = (u) => {
    const x = new URL(u, location.href);
    return x.pathname + x.search;
  };
  const nav = performance.getEntriesByType("navigation")[0];
  const entry = (e) => ({
    path: path(e.name),
    type: e.initiatorType || "navigation",
    start: e.startTime,
    requestStart: e.requestStart,
    responseStart: e.responseStart,
    end: e.responseEnd,
    transfer: e.transferSize,
    encoded: e.encodedBodySize,
    decoded: e.decodedBodySize,
  });
  return {
    url: location.pathname + location.search,
    nav: nav ? { ...entry(nav), domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd } : null,
    resources: performance.getEntriesByType("resource").map(entry),
    marks: JSON.parse(JSON.stringify(window.__tti.marks)),
    click: window.__tti.click,
    longTasks: window.__tti.longTasks,
  };
}

// --- the network, as the browser saw it ---------------------------------------

/** Requests of one page over the DevTools protocol: bytes on the wire, cache, what is in flight. */
class Network {
  constructor(cdp) {
    this.reqs = new Map();
    this.inflight = new Set();
    this.lastActivity = Date.now();
    const get = (id) => {
      let r = this.reqs.get(id);
      if (!r) this.reqs.set(id, (r = { url: "", type: "", status: 0, cache: "", wire: 0, data: 0, done: false }));
      return r;
    };
    const touch = () => (this.lastActivity = Date.now());
    cdp.on("Network.requestWillBeSent", (p) => {
      const r = get(p.requestId);
      r.url = p.request.url;
      r.type = p.type ?? r.type;
      this.inflight.add(p.requestId);
      touch();
    });
    cdp.on("Network.requestServedFromCache", (p) => (get(p.requestId).cache = "cache"));
    // The status as it came over the wire: a revalidated file is a 304 there, a 200 to the page.
    cdp.on("Network.responseReceivedExtraInfo", (p) => p.statusCode === 304 && (get(p.requestId).cache = "revalidated (304)"));
    cdp.on("Network.responseReceived", (p) => {
      const r = get(p.requestId);
      r.type = p.type ?? r.type;
      r.status = p.response.status;
      r.rid = p.response.headers["x-request-id"] ?? p.response.headers["X-Request-Id"] ?? "";
      if (p.response.fromDiskCache) r.cache = "disk";
      touch();
    });
    cdp.on("Network.dataReceived", (p) => {
      get(p.requestId).data += p.dataLength;
      touch();
    });
    cdp.on("Network.loadingFinished", (p) => {
      const r = get(p.requestId);
      r.wire = p.encodedDataLength;
      r.done = true;
      this.inflight.delete(p.requestId);
      touch();
    });
    cdp.on("Network.loadingFailed", (p) => {
      get(p.requestId).failed = p.errorText;
      this.inflight.delete(p.requestId);
      touch();
    });
  }

  reset() {
    this.reqs.clear();
  }

  /** The gateway's request id of the first request whose path and query match. */
  requestId(re) {
    for (const r of this.reqs.values()) {
      if (!r.url) continue;
      const u = new URL(r.url);
      if (re.test(u.pathname + u.search)) return r.rid;
    }
    return "";
  }

  /** Until nothing has been in flight for `ms`. */
  async quiet(ms = 300, timeout = 30_000) {
    const until = Date.now() + timeout;
    while (Date.now() < until) {
      if (this.inflight.size === 0 && Date.now() - this.lastActivity >= ms) return;
      await sleep(50);
    }
    const left = [...this.inflight].map((id) => this.reqs.get(id)?.url).join(", ");
    throw new Error(`the network did not go quiet within ${timeout / 1000} s (in flight: ${left})`);
  }

  /** Wire bytes and counts by kind: the page (document, scripts, styles), the API, the rest. */
  summary() {
    const kinds = { page: { wire: 0, n: 0, cached: 0 }, api: { wire: 0, n: 0, cached: 0 }, other: { wire: 0, n: 0, cached: 0 } };
    const files = [];
    for (const r of this.reqs.values()) {
      if (!r.url || r.url.startsWith("data:")) continue;
      const path = new URL(r.url).pathname;
      const kind = path.startsWith("/api/") ? "api" : ["Document", "Script", "Stylesheet"].includes(r.type) ? "page" : "other";
      const k = kinds[kind];
      k.wire += r.wire;
      k.n += 1;
      if (r.cache) k.cached += 1;
      if (kind === "page") files.push({ path, type: r.type, status: r.status, cache: r.cache || "network", wire: r.wire });
    }
    return { ...kinds, files };
  }
}

// --- measuring --------------------------------------------------------------------

class Timeout extends Error {}

async function newContext(base, state, expect) {
  const ctx = await browser.newContext({ viewport: VIEWPORT, locale: "en-US", storageState: state });
  await ctx.addInitScript(pageProbe, expect);
  const page = await ctx.newPage();
  page.setDefaultTimeout(opts.timeout);
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Performance.enable");
  const net = new Network(cdp);
  return { ctx, page, net, errors, cdp };
}

/** The renderer's main-thread time so far (ms): all tasks, script, style and layout (Performance.getMetrics). */
async function mainThread(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value * 1000]));
  return { task: m.TaskDuration, script: m.ScriptDuration, style: m.RecalcStyleDuration, layout: m.LayoutDuration };
}

/** What the main thread did between two samples; a new renderer process starts from zero. */
function busy(a, b) {
  const base = b.task < a.task ? { task: 0, script: 0, style: 0, layout: 0 } : a;
  return { task: b.task - base.task, script: b.script - base.script, styleLayout: b.style - base.style + b.layout - base.layout };
}

const results = join(here, "..", "test-results");

/** Waits until the probe wrote `mark` and its frame was painted; a clear message and a screenshot if not. */
async function waitMark(page, mark, what) {
  try {
    await page.waitForFunction((m) => window.__tti?.marks[m]?.paint != null, mark, { timeout: opts.timeout, polling: 50 });
  } catch (e) {
    const seen = await page
      .evaluate(() => ({ url: location.href, main: (document.querySelector("main") ?? document.body)?.innerText.slice(0, 600) }))
      .catch(() => ({ url: "?", main: "?" }));
    mkdirSync(results, { recursive: true });
    const shot = join(results, `tti-FAILED-${what.replace(/\W+/g, "-")}.png`);
    await page.screenshot({ path: shot }).catch(() => {});
    throw new Timeout(`${what}: not interactive within ${opts.timeout / 1000} s (${e.message.split("\n")[0]})\n  at ${seen.url}\n  the page shows: ${JSON.stringify(seen.main)}\n  screenshot: ${shot}${serverNotes(5)}`);
  }
}

const RESTORE = /^\/api\/v1\/auth\/session\/refresh/;
const HOME = /^\/api\/v1\/home/;
const BOARD = /^\/api\/v1\/projects\/board\?/;
const find = (report, re, after = 0) => report.resources.find((r) => re.test(r.path) && r.start >= after);
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

/** Bytes of the document, scripts and styles as Resource Timing has them. */
function pageBytes(report) {
  const files = [report.nav, ...report.resources.filter((r) => r.type === "script" || r.type === "link")].filter(Boolean);
  return { transfer: sum(files.map((f) => f.transfer)), encoded: sum(files.map((f) => f.encoded)), decoded: sum(files.map((f) => f.decoded)) };
}

function longTaskMs(report, from, to) {
  return sum(report.longTasks.filter(([s]) => s >= from && s < to).map(([, d]) => d));
}

/** The gateway's own time for a request, from its log line ("request … latency_ms=…"), when it logs one. */
async function gatewayMs(rid) {
  if (!rid) return null;
  const re = new RegExp(`request_id=${rid}[^\\n]*latency_ms=([\\d.]+)`);
  for (let i = 0; i < 10; i++) {
    const m = re.exec(log.slice(-LOG_KEEP));
    if (m) return Number(m[1]);
    await sleep(50);
  }
  return null;
}

/** An API answer's moments (from `origin`), its server time as the browser saw it (request → first byte) and as the gateway logged it. */
async function answerTimes(e, origin, net, re) {
  if (!e) return null;
  return { start: e.start - origin, ttfb: e.responseStart - e.requestStart, end: e.end - origin, bytes: e.decoded, gateway: await gatewayMs(net.requestId(re)) };
}

/** A full page load of `path` until `mark`: the moments from navigation start, the bytes. */
async function load(s, base, path, mark, what) {
  s.net.reset();
  const cpu0 = await mainThread(s.cdp);
  await s.page.goto(`${base}${path}`, { waitUntil: "commit", timeout: opts.timeout });
  await waitMark(s.page, mark, what);
  const cpu = busy(cpu0, await mainThread(s.cdp));
  const report = await s.page.evaluate(pageReport);
  await s.net.quiet();
  const m = report.marks[mark];
  const out = {
    ready: m.paint,
    readyDom: m.dom,
    documentEnd: report.nav?.end ?? null,
    domContentLoaded: report.nav?.domContentLoaded ?? null,
    scriptsEnd: Math.max(0, ...report.resources.filter((r) => r.type === "script" || r.type === "link").map((r) => r.end)),
    restore: await answerTimes(find(report, RESTORE), 0, s.net, RESTORE),
    longTasks: longTaskMs(report, 0, m.paint),
    cpu,
    rt: pageBytes(report),
    net: s.net.summary(),
  };
  if (mark === "home") out.home = await answerTimes(find(report, HOME), 0, s.net, HOME);
  if (mark === "board") {
    out.board = await answerTimes(find(report, BOARD), 0, s.net, BOARD);
    out.names = (await settled(s.page, "boardNames")) ?? null;
  }
  return out;
}

/** The probe's moment `mark` once it is there (a few seconds at most), else undefined. */
async function settled(page, mark) {
  try {
    await page.waitForFunction((m) => window.__tti?.marks[m]?.paint != null, mark, { timeout: 15_000, polling: 50 });
    return await page.evaluate((m) => window.__tti.marks[m].paint, mark);
  } catch {
    return undefined;
  }
}

/** On the project list: click "Display as Kanban", until the board is interactive. */
async function clickToBoard(s, what) {
  const link = s.page.getByRole("link", { name: "Display as Kanban" });
  await link.waitFor({ timeout: opts.timeout });
  await s.page.locator("table.list tbody tr").first().waitFor({ timeout: opts.timeout });
  await s.net.quiet();
  s.net.reset();
  const cpu0 = await mainThread(s.cdp);
  await link.click();
  await waitMark(s.page, "board", what);
  const cpu = busy(cpu0, await mainThread(s.cdp));
  const report = await s.page.evaluate(pageReport);
  await s.net.quiet();
  const at = report.click.at;
  const board = find(report, BOARD, at);
  const names = await settled(s.page, "boardNames");
  return {
    ready: report.marks.board.paint - at,
    readyDom: report.marks.board.dom - at,
    url: (await s.page.evaluate(() => location.pathname + location.search)),
    board: await answerTimes(board, at, s.net, BOARD),
    names: names === undefined ? null : names - at,
    longTasks: longTaskMs(report, at, report.marks.board.paint),
    cpu,
    net: s.net.summary(),
  };
}

async function shoot(page, name) {
  mkdirSync(results, { recursive: true });
  const path = join(results, `tti-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
}

/** Checks after the timing: what the page shows is right and it takes input. */
async function verifyHome(page, expected) {
  const open = await page.locator(".stat", { hasText: "Open projects" }).locator("dd").innerText();
  if (open.replace(/\D/g, "") !== String(expected)) throw new Error(`Home shows ${open} open projects, the API counts ${expected}`);
  const search = page.locator("#global-search");
  await search.focus();
  await page.keyboard.type("x");
  if ((await search.inputValue()) !== "x") throw new Error("the search field did not take the typed text");
  await search.fill("");
  return (await page.locator(".stat dd .unavailable").count()) > 0 ? "some figures unavailable" : "";
}

async function verifyBoard(page, expected) {
  const shown = await page.locator(".board section.column").evaluateAll((cols) =>
    Object.fromEntries(cols.map((c) => [c.dataset.stage, Number(/^[\d,.\s\u202f\u00a0]+/.exec(c.querySelector(".totals .count").textContent)[0].replace(/\D/g, ""))])),
  );
  for (const [stage, n] of Object.entries(expected)) {
    if (shown[stage] !== n) throw new Error(`the board shows ${shown[stage]} projects in ${stage}, the API counts ${n}`);
  }
  const title = page.locator('.board li.card-item[draggable="true"] a.card-title').first();
  await title.focus();
  if (!(await title.evaluate((a) => document.activeElement === a))) throw new Error("the first card's title does not take the focus");
}

// --- statistics and the table --------------------------------------------------

function stats(xs) {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = v.length >> 1;
  return { median: v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2, min: v[0], max: v[v.length - 1], n: v.length };
}
const ms = (x) => (x == null ? "—" : `${Math.round(x)}`);
const kb = (x) => (x == null ? "—" : (x / 1024).toFixed(1));
const int = (x) => (x == null ? "—" : `${Math.round(x)}`);

const LABEL = 60;
function row(label, unit, runs, pick, fmt) {
  const cell = (which) => {
    const s = stats(runs.map((r) => pick(r[which])));
    return s ? `${fmt(s.median).padStart(8)} ${`${fmt(s.min)}–${fmt(s.max)}`.padStart(13)}` : `${"—".padStart(8)} ${"".padStart(13)}`;
  };
  return `${`${label} (${unit})`.padEnd(LABEL)} ${cell("cold")}   ${cell("warm")}`;
}

/** The main thread's work up to the moment (sampled once it is seen, ≤ 50 ms later). */
function cpuRows(lines, H, k) {
  lines.push(row("  renderer main thread busy by then: all tasks", "ms", H, (x) => x[k].cpu?.task, ms));
  lines.push(row("    of which script", "ms", H, (x) => x[k].cpu?.script, ms));
  lines.push(row("    of which style and layout", "ms", H, (x) => x[k].cpu?.styleLayout, ms));
}

// --- main -----------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const binInfo = statSync(bin);
  console.log(`prm TTI benchmark: ${opts.projects.toLocaleString("en-US")} projects for ${BOB}'s partner, ${opts.other.toLocaleString("en-US")} for ${CAROL}'s; ${opts.runs} runs after ${opts.warmup} warm-up`);
  console.log(`server: ${bin} (${(binInfo.size / 1048576).toFixed(0)} MB, built ${binInfo.mtime.toISOString()})`);
  const load0 = loadavg().map((x) => x.toFixed(2)).join(" ");
  const base = await startServer();
  console.log(`server up at ${base}, data in ${dataDir}`);
  // The demo's automatic stage moves happen shortly after seeding.
  await sleep(1500);

  const bob = await person(base, BOB);
  const carol = await person(base, CAROL);
  const before = { bob: await boardCounts(base, bob.token), bobOpen: await boardCounts(base, bob.token, "all_open"), carol: await boardCounts(base, carol.token) };
  const groups = [
    { partner_id: bob.me.partner_id, owner_id: bob.me.id, account_id: bob.account.id, account_name: bob.account.name, n: opts.projects },
    { partner_id: carol.me.partner_id, owner_id: carol.me.id, account_id: carol.account.id, account_name: carol.account.name, n: opts.other },
  ].filter((g) => g.n > 0);
  const seeded = groups.length ? seed(groups) : { seconds: 0, groups: [] };
  const added = (pid) => seeded.groups.find((g) => g.partner_id === pid)?.by_stage ?? {};
  // The board must count exactly what was written, per column, and carol's stay hers.
  const expectBoard = {};
  const after = await boardCounts(base, bob.token);
  for (const [stage, n] of Object.entries(before.bob)) {
    expectBoard[stage] = n + (added(bob.me.partner_id)[stage] ?? 0);
    if (after[stage] !== expectBoard[stage]) throw new Error(`after seeding the board counts ${after[stage]} projects in ${stage}, expected ${expectBoard[stage]}`);
  }
  const expectOpen = await boardCounts(base, bob.token, "all_open");
  const carolAfter = await boardCounts(base, carol.token);
  const carolWant = sum(Object.values(before.carol)) + opts.other;
  if (sum(Object.values(carolAfter)) !== carolWant) throw new Error(`carol's board counts ${sum(Object.values(carolAfter))}, expected ${carolWant}`);
  const home = await rest(base, bob.token, "/api/v1/home");
  const expectOpenProjects = home.statistics.open_projects;
  const total = sum(Object.values(after));
  console.log(
    `seeded in ${seeded.seconds} s; bob's board (new business): ${total.toLocaleString("en-US")} projects in ${Object.keys(after).length} columns ` +
      `(${Object.entries(after).map(([s, n]) => `${s} ${n}`).join(", ")}); through the list's "All open projects": ${sum(Object.values(expectOpen)).toLocaleString("en-US")}; ` +
      `carol's: ${sum(Object.values(carolAfter)).toLocaleString("en-US")}; Home's open projects: ${expectOpenProjects}`,
  );

  let executablePath = CHROMIUM;
  if (opts.pin) {
    executablePath = join(workDir, "chromium-on-cpu1");
    writeFileSync(executablePath, `#!/bin/sh\nexec taskset -c 1 ${JSON.stringify(CHROMIUM)} "$@"\n`, { mode: 0o755 });
  }
  browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const chromiumVersion = (() => {
    try {
      return execFileSync(CHROMIUM, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return `(chromium --version failed; the browser says ${browser.version()})`;
    }
  })();
  const pw = JSON.parse(readFileSync(join(here, "..", "node_modules", "playwright-core", "package.json"), "utf8")).version;
  console.log(`browser: ${chromiumVersion} (engine ${browser.version()}), headless, playwright-core ${pw}, viewport ${VIEWPORT.width}x${VIEWPORT.height}, ${opts.pin ? "on CPU 1, the server on CPU 0" : `${cpus().length} CPUs shared with the server`}\n`);

  const expect = { boardColumns: Object.keys(after).length };
  const runs = [];
  const warnings = new Set();
  for (let i = 0; i < opts.warmup + opts.runs; i++) {
    const label = i < opts.warmup ? `warm-up ${i + 1}` : `run ${i - opts.warmup + 1}/${opts.runs}`;
    const r = { cold: {}, warm: {} };
    const contexts = [];
    try {
      // Home: a fresh context, then the same context again.
      let s = await newContext(base, await sessionState(base, BOB), expect);
      contexts.push(s);
      const homeCold = await load(s, base, "/", "home", `${label} Home cold`);
      const note = await verifyHome(s.page, expectOpenProjects);
      if (opts.screenshots && i === opts.warmup) await shoot(s.page, "home");
      if (note) warnings.add(`Home: ${note}`);
      const homeWarm = await load(s, base, "/", "home", `${label} Home warm`);
      // The board by navigation: a fresh context, then again.
      s = await newContext(base, await sessionState(base, BOB), expect);
      contexts.push(s);
      const navCold = await load(s, base, "/projects/board", "board", `${label} board navigation cold`);
      await verifyBoard(s.page, expectBoard);
      const navWarm = await load(s, base, "/projects/board", "board", `${label} board navigation warm`);
      if (opts.screenshots && i === opts.warmup) await shoot(s.page, "board");
      // The board from the list's "Display as Kanban": a fresh context; then back to the list and again.
      s = await newContext(base, await sessionState(base, BOB), expect);
      contexts.push(s);
      await s.page.goto(`${base}/projects`, { waitUntil: "commit", timeout: opts.timeout });
      if (opts.screenshots && i === opts.warmup) {
        await s.page.locator("table.list tbody tr").first().waitFor({ timeout: opts.timeout });
        await s.net.quiet();
        await shoot(s.page, "list");
      }
      const clickCold = await clickToBoard(s, `${label} click Display as Kanban cold`);
      await verifyBoard(s.page, expectOpen);
      await s.page.getByRole("link", { name: "Display as list" }).click();
      const clickWarm = await clickToBoard(s, `${label} click Display as Kanban warm`);
      for (const c of contexts) for (const e of c.errors) warnings.add(`console: ${e}`);
      Object.assign(r.cold, { home: homeCold, nav: navCold, click: clickCold });
      Object.assign(r.warm, { home: homeWarm, nav: navWarm, click: clickWarm });
    } finally {
      for (const c of contexts) await c.ctx.close().catch(() => {});
    }
    console.log(
      `${label.padEnd(12)} Home ${ms(r.cold.home.ready)} / ${ms(r.warm.home.ready)} ms · board by navigation ${ms(r.cold.nav.ready)} / ${ms(r.warm.nav.ready)} ms · ` +
        `click → board ${ms(r.cold.click.ready)} / ${ms(r.warm.click.ready)} ms (cold / warm); first page ${kb(r.cold.home.net.page.wire)} KB over the wire`,
    );
    if (i >= opts.warmup) runs.push(r);
  }

  // --- the table
  const H = runs;
  const lines = [];
  lines.push("");
  lines.push(`${"".padEnd(LABEL)} ${"cold: median".padStart(8)} ${"(min–max)".padStart(11)}   ${"warm: median".padStart(8)} ${"(min–max)".padStart(11)}`);
  lines.push("First load of / (Home)");
  lines.push(row("  document + scripts + styles over the wire", "KB", H, (x) => x.home.net.page.wire, kb));
  lines.push(row("  the same, Resource Timing transferSize", "KB", H, (x) => x.home.rt.transfer, kb));
  lines.push(row("  the same, decoded", "KB", H, (x) => x.home.rt.decoded, kb));
  lines.push(row("  files of the page (document, scripts, styles)", "n", H, (x) => x.home.net.page.n, int));
  lines.push(row("  API answers over the wire", "KB", H, (x) => x.home.net.api.wire, kb));
  lines.push(row("  API requests", "n", H, (x) => x.home.net.api.n, int));
  lines.push("Home interactive (from navigation start)");
  lines.push(row("  document received", "ms", H, (x) => x.home.documentEnd, ms));
  lines.push(row("  scripts and styles received", "ms", H, (x) => x.home.scriptsEnd, ms));
  lines.push(row("  the app's script ran: session restore asked", "ms", H, (x) => x.home.restore?.start, ms));
  lines.push(row("  refresh: the gateway's time (its log)", "ms", H, (x) => x.home.restore?.gateway, ms));
  lines.push(row("  session restored (refresh answered)", "ms", H, (x) => x.home.restore?.end, ms));
  lines.push(row("  /api/v1/home: server time (request → first byte)", "ms", H, (x) => x.home.home?.ttfb, ms));
  lines.push(row("  /api/v1/home: the gateway's time (its log)", "ms", H, (x) => x.home.home?.gateway, ms));
  lines.push(row("  /api/v1/home answered", "ms", H, (x) => x.home.home?.end, ms));
  lines.push(row("  statistics shown, search field ready (DOM)", "ms", H, (x) => x.home.readyDom, ms));
  lines.push(row("  HOME INTERACTIVE (that frame painted)", "ms", H, (x) => x.home.ready, ms));
  lines.push(row("  long tasks before it", "ms", H, (x) => x.home.longTasks, ms));
  cpuRows(lines, H, "home");
  lines.push(`Board by navigation to /projects/board (${total.toLocaleString("en-US")} projects)`);
  lines.push(row("  document + scripts + styles over the wire", "KB", H, (x) => x.nav.net.page.wire, kb));
  lines.push(row("  session restored (refresh answered)", "ms", H, (x) => x.nav.restore?.end, ms));
  lines.push(row("  board asked", "ms", H, (x) => x.nav.board?.start, ms));
  lines.push(row("  board: server time (request → first byte)", "ms", H, (x) => x.nav.board?.ttfb, ms));
  lines.push(row("  board: the gateway's time (its log)", "ms", H, (x) => x.nav.board?.gateway, ms));
  lines.push(row("  board answered", "ms", H, (x) => x.nav.board?.end, ms));
  lines.push(row("  board answer, decoded", "KB", H, (x) => x.nav.board?.bytes, kb));
  lines.push(row("  board in the DOM (counts, cards, a draggable card)", "ms", H, (x) => x.nav.readyDom, ms));
  lines.push(row("  rendering (answered → interactive)", "ms", H, (x) => x.nav.ready - x.nav.board?.end, ms));
  lines.push(row("  BOARD INTERACTIVE (that frame painted)", "ms", H, (x) => x.nav.ready, ms));
  lines.push(row("  cards' account names shown", "ms", H, (x) => x.nav.names, ms));
  lines.push(row("  long tasks before interactive", "ms", H, (x) => x.nav.longTasks, ms));
  cpuRows(lines, H, "nav");
  lines.push(`Click "Display as Kanban" on the list (view All open projects: ${sum(Object.values(expectOpen)).toLocaleString("en-US")})`);
  lines.push(row("  board asked (after the click)", "ms", H, (x) => x.click.board?.start, ms));
  lines.push(row("  board: server time (request → first byte)", "ms", H, (x) => x.click.board?.ttfb, ms));
  lines.push(row("  board: the gateway's time (its log)", "ms", H, (x) => x.click.board?.gateway, ms));
  lines.push(row("  board answered", "ms", H, (x) => x.click.board?.end, ms));
  lines.push(row("  board in the DOM (counts, cards, a draggable card)", "ms", H, (x) => x.click.readyDom, ms));
  lines.push(row("  rendering (answered → interactive)", "ms", H, (x) => x.click.ready - x.click.board?.end, ms));
  lines.push(row("  CLICK → BOARD INTERACTIVE (that frame painted)", "ms", H, (x) => x.click.ready, ms));
  lines.push(row("  cards' account names shown", "ms", H, (x) => x.click.names, ms));
  lines.push(row("  long tasks before interactive", "ms", H, (x) => x.click.longTasks, ms));
  cpuRows(lines, H, "click");
  const files = runs[0].cold.home.net.files.map((f) => `${f.path} (${f.type}, ${kb(f.wire)} KB)`).join(", ");
  const warmFiles = runs[0].warm.home.net.files.map((f) => `${f.path} (${f.cache}, ${kb(f.wire)} KB)`).join(", ");
  lines.push("");
  lines.push(`first page's files, cold: ${files}`);
  lines.push(`warm: ${warmFiles}`);
  lines.push(`cold = a new browser context (empty HTTP cache, new connections); warm = the same context and tab, loaded again. ${runs.length} runs; times from navigation start (from the click event for the click).`);
  lines.push(`server: ${bin}${opts.pin ? " (on CPU 0; the browser on CPU 1)" : ""}`);
  lines.push(`browser: ${chromiumVersion}`);
  lines.push(`load average (1, 5, 15 min) at the start: ${load0}; at the end: ${loadavg().map((x) => x.toFixed(2)).join(" ")} (${cpus().length} CPUs)`);
  if (warnings.size) lines.push(`warnings:\n  ${[...warnings].slice(0, 20).join("\n  ")}`);
  lines.push(`took ${Math.round((Date.now() - started) / 1000)} s`);
  console.log(lines.join("\n"));

  if (opts.json) {
    writeFileSync(
      opts.json,
      JSON.stringify({ bin, chromium: chromiumVersion, projects: opts.projects, other: opts.other, board: after, boardOpen: expectOpen, seeded, runs }, null, 2),
    );
    console.log(`results: ${opts.json}`);
  }
}

try {
  await main();
  await cleanUp();
  process.exit(0);
} catch (e) {
  console.error(`\nFAILED: ${e.stack || e}${e instanceof Timeout ? "" : serverNotes()}`);
  await cleanUp();
  process.exit(1);
}
