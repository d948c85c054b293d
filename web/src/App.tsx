import { useEffect, useRef, useState } from "preact/hooks";
import { session } from "./api/client";
import type { SessionUser } from "./api/session";
import { Me } from "./lib/me";
import { match, navigate, useLocation } from "./lib/router";
import { forgetPeople, remember } from "./lib/people";
import { navFor, ROLE_LABELS } from "./lib/domain";
import { SignIn } from "./pages/SignIn";
import { Home } from "./pages/Home";
import { SearchBox } from "./components/SearchBox";
import { Loading } from "./components/ui";
import { LIST_PAGES, ListPage } from "./pages/ListPage";
import { RecordPage, RECORD_PAGES } from "./pages/RecordPage";
import { ProjectPage } from "./pages/ProjectPage";
import { Kanban } from "./pages/Kanban";
import { CasePage } from "./pages/CasePage";
import { QuotePage } from "./pages/QuotePage";
import { OrderPage } from "./pages/OrderPage";
import { ReportBuilder, ReportList, ReportView } from "./pages/Reports";
import { SimpleList, SIMPLE_LISTS, SimpleRecord } from "./pages/SimpleList";
import { isKind } from "./api/records";
import { NewsAdmin } from "./pages/vendor/News";
import { PriceBook } from "./pages/vendor/PriceBook";
import { PartnerList, PartnerPage } from "./pages/vendor/Partners";
import { UsersPage } from "./pages/vendor/Users";
import { LeadPool } from "./pages/vendor/LeadPool";
import { ProjectSettings } from "./pages/vendor/Settings";
import { BonusPipeline } from "./pages/vendor/BonusPipeline";

export function App() {
  const [user, setUser] = useState<SessionUser | null>(session.user);
  const [restoring, setRestoring] = useState(true);
  useEffect(() => {
    const off = session.subscribe((u) => {
      setUser(u);
      if (u) remember(u);
      else forgetPeople();
    });
    // Only a browser that signed in asks (a fresh visit has no cookie to refresh).
    void session.restore().finally(() => setRestoring(false));
    return off;
  }, []);
  if (restoring && !user) return <Loading what="Restoring your session" />;
  if (!user) return <SignIn />;
  return (
    <Me.Provider value={user}>
      <Shell user={user} />
    </Me.Provider>
  );
}

function Shell({ user }: { user: SessionUser }) {
  const loc = useLocation();
  const nav = navFor(user.role);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    // Each new page: focus goes to its heading, so a screen reader starts there.
    if (first.current) {
      first.current = false;
      return;
    }
    const h = main.current?.querySelector("h1") as HTMLElement | null;
    if (h) {
      h.tabIndex = -1;
      h.focus();
    }
  }, [loc.path]);
  const current = (p: string) => (p === "/" ? loc.path === "/" : loc.path === p || loc.path.startsWith(`${p}/`));
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/">
          Partner portal
        </a>
        <SearchBox />
        <div class="who">
          <span class="name">{user.display_name}</span>
          <span class="role">{ROLE_LABELS[user.role] ?? user.role}</span>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              void session.signOut().then(() => navigate("/", true));
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <nav class="side" aria-label="Main">
        <ul>
          {nav.map((n) => (
            <li key={n.path}>
              <a href={n.path} aria-current={current(n.path) ? "page" : undefined}>
                {n.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={main}>
        <Route path={loc.path} allowed={nav.map((n) => n.path)} />
      </main>
    </div>
  );
}

function Route({ path, allowed }: { path: string; allowed: string[] }) {
  const top = `/${path.split("/")[1] ?? ""}`;
  if (path === "/") return <Home />;
  if (!allowed.includes(top)) return <NotFound />;
  if (path === "/projects/board") return <Kanban />;
  let m = match("/projects/:id", path);
  if (m) return <ProjectPage id={m.id} />;
  m = match("/cases/:id", path);
  if (m) return <CasePage id={m.id} />;
  m = match("/quotes/:id", path);
  if (m) return <QuotePage id={m.id} />;
  m = match("/orders/:id", path);
  if (m) return <OrderPage id={m.id} />;
  if (path === "/reports") return <ReportList />;
  if (path === "/reports/new") {
    const from = new URLSearchParams(location.search).get("from") ?? undefined;
    return <ReportBuilder key={`new-${from ?? ""}`} from={from} />;
  }
  m = match("/reports/:id/edit", path);
  if (m) return <ReportBuilder key={`edit-${m.id}`} id={m.id} />;
  m = match("/reports/:id", path);
  if (m) return <ReportView id={m.id} />;

  // The vendor's pages, and the users of a partner admin's company (pages/vendor/).
  if (path === "/news") return <NewsAdmin />;
  if (path === "/price-book") return <PriceBook />;
  if (path === "/partners") return <PartnerList />;
  m = match("/partners/:id", path);
  if (m) return <PartnerPage id={m.id} />;
  if (path === "/users") return <UsersPage />;
  if (path === "/lead-pool") return <LeadPool />;
  if (path === "/settings") return <ProjectSettings />;
  if (path === "/bonus-pipeline") return <BonusPipeline />;

  for (const key of Object.keys(LIST_PAGES)) {
    if (path === `/${key}`) return <ListPage kind={key} />;
    m = match(`/${key}/:id`, path);
    if (m && RECORD_PAGES[key]) return <RecordPage kind={key} id={m.id} />;
    if (m && isKind(key)) return <SimpleRecord kind={key} id={m.id} title={LIST_PAGES[key].title} />;
  }
  for (const key of Object.keys(SIMPLE_LISTS)) {
    if (path === `/${key}`) return <SimpleList kind={key} />;
    m = match(`/${key}/:id`, path);
    if (m && isKind(key)) return <SimpleRecord kind={key} id={m.id} title={SIMPLE_LISTS[key].title} />;
  }
  return <NotFound />;
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        This page does not exist, or your role does not show it. <a href="/">Go to Home</a>.
      </p>
    </section>
  );
}
