import { useState } from "preact/hooks";
import { api, ok } from "../api/client";
import type { components } from "../api/schema";
import { useMe } from "../lib/me";
import { canCreate, PARTNER_ROLES } from "../lib/domain";
import { formatCount, formatMoney } from "../lib/money";
import { DateText, ErrorMessage, Loading, useAsync } from "../components/ui";
import { PipelineBars, StageBars } from "../components/Charts";
import { CreateAccountDialog, CreateCaseDialog, CreateLeadDialog } from "../components/Create";

type HomeAnswer = components["schemas"]["HomeJson"];

/** Which service owns each figure: a missing one makes it "unavailable". */
const OWNER: Record<string, string> = {
  open_leads: "lead",
  open_projects: "project",
  projects_closing_this_month: "project",
  open_cases: "case",
  tasks_due_today: "task",
  tasks_overdue: "task",
};

export function Home() {
  const me = useMe();
  const home = useAsync(() => ok(api.GET("/api/v1/home")), []);
  const [dialog, setDialog] = useState<"lead" | "account" | "case" | null>(null);
  const s = home.data?.statistics;
  const missing = home.data?.missing ?? [];
  const unavailable = (key: string) => missing.find((m) => m.service === OWNER[key]);
  const figure = (key: keyof HomeAnswer["statistics"], label: string, href?: string) => {
    const v = s?.[key] as number | null | undefined;
    const m = unavailable(key);
    return (
      <div class="stat" key={key}>
        <dt>{label}</dt>
        <dd>
          {v === null || v === undefined ? (
            <span class="unavailable" title={m ? `The ${m.service} service did not answer` : undefined}>
              unavailable{m ? ` (${m.service} service)` : ""}
            </span>
          ) : href ? (
            <a href={href}>{formatCount(v)}</a>
          ) : (
            formatCount(v)
          )}
        </dd>
      </div>
    );
  };
  return (
    <div class="home">
      <h1>Home</h1>
      <section aria-labelledby="quick" class="quick">
        <h2 id="quick" class="visually-hidden">
          Quick actions
        </h2>
        {canCreate(me.role) && (
          <>
            <button type="button" onClick={() => setDialog("lead")}>
              New lead
            </button>
            <button type="button" onClick={() => setDialog("account")}>
              New account
            </button>
          </>
        )}
        {PARTNER_ROLES.includes(me.role) && (
          <button type="button" class="secondary" onClick={() => setDialog("case")}>
            Submit a case
          </button>
        )}
      </section>
      {home.loading && !home.data && <Loading />}
      <ErrorMessage error={home.error} />
      {home.data && (
        <div class="home-grid">
          <section aria-labelledby="stats-title" class="card">
            <h2 id="stats-title">Statistics</h2>
            {missing.length > 0 && (
              <p class="notice" role="status">
                Some figures are unavailable: the {missing.map((m) => m.service).join(", ")} service did not answer.
              </p>
            )}
            <dl class="stats">
              {figure("open_leads", "Open leads", "/leads")}
              {figure("open_projects", "Open projects", "/projects")}
              {figure("projects_closing_this_month", "Closing this month", "/projects?view=closing_this_month")}
              {figure("open_cases", "Open cases", "/cases")}
              {figure("tasks_due_today", "My tasks due today", "/tasks")}
              {figure("tasks_overdue", "My overdue tasks", "/tasks")}
            </dl>
            <h3>Open projects by stage</h3>
            {s?.open_projects_by_stage ? (
              s.open_projects_by_stage.length ? (
                <StageBars data={s.open_projects_by_stage} />
              ) : (
                <p class="empty">No open projects.</p>
              )
            ) : (
              <p class="unavailable">unavailable</p>
            )}
            <h3>Pipeline per currency</h3>
            {s?.pipeline ? (
              s.pipeline.length ? (
                <>
                  <PipelineBars data={s.pipeline} />
                  <table class="compact">
                    <caption class="visually-hidden">Pipeline per currency</caption>
                    <thead>
                      <tr>
                        <th scope="col">Currency</th>
                        <th scope="col">Total MRR</th>
                        <th scope="col">Weighted pipeline</th>
                      </tr>
                    </thead>
                    <tbody>
                      {s.pipeline.map((p) => (
                        <tr key={p.currency_code}>
                          <th scope="row">{p.currency_code}</th>
                          <td class="num">{formatMoney(p.mrr, p.currency_code)}</td>
                          <td class="num">{formatMoney(p.weighted_pipeline, p.currency_code)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              ) : (
                <p class="empty">No pipeline yet.</p>
              )
            ) : (
              <p class="unavailable">unavailable</p>
            )}
          </section>
          <section aria-labelledby="news-title" class="card">
            <h2 id="news-title">News &amp; updates</h2>
            {home.data.news.length === 0 && <p class="empty">No news from the vendor yet.</p>}
            {home.data.news.map((n) => (
              <article key={n.id} class="news">
                <h3>{n.title}</h3>
                <p class="hint">
                  <DateText value={n.publish_time} />
                </p>
                <p>{n.body}</p>
              </article>
            ))}
          </section>
        </div>
      )}
      <CreateLeadDialog open={dialog === "lead"} onClose={() => setDialog(null)} />
      <CreateAccountDialog open={dialog === "account"} onClose={() => setDialog(null)} />
      <CreateCaseDialog open={dialog === "case"} onClose={() => setDialog(null)} />
    </div>
  );
}
