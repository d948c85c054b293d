// The global search: a combobox whose listbox shows the results grouped by
// record type as one types (debounced, stale requests aborted). Arrow keys
// move through the options, Enter opens the record, Escape closes.

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ok } from "../api/client";
import { createSearcher } from "../lib/search";
import { navigate } from "../lib/router";
import { errorText } from "./ui";

interface Hit {
  type: string;
  id: string;
  title: string;
  subtitle: string;
  href: string;
}
interface Group {
  type: string;
  results: Hit[];
}
interface Answer {
  query: string;
  groups: Group[];
  missing: { service: string; reason: string }[];
}

const TYPE_LABELS: Record<string, string> = {
  account: "Accounts",
  contact: "Contacts",
  lead: "Leads",
  project: "Projects",
  quote: "Quotes",
  order: "Orders",
  task: "Tasks",
  case: "Cases",
};

/** `/api/v1/accounts/42` → `/accounts/42`: the portal's page of the record. */
export function pageOf(hit: { href: string; type: string; id: string }): string {
  if (hit.href?.startsWith("/api/v1/")) return hit.href.slice("/api/v1".length);
  return `/${hit.type}s/${hit.id}`;
}

export function SearchBox() {
  const [q, setQ] = useState("");
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);

  const searcher = useMemo(
    () =>
      createSearcher<Answer>({
        fetch: (query, signal) => ok<Answer>(api.GET("/api/v1/search", { params: { query: { q: query } }, signal })),
        onResult: (a) => {
          setAnswer(a);
          setError("");
          setActive(-1);
          setOpen(true);
        },
        onError: (e) => {
          setError(errorText(e));
          setOpen(true);
        },
        onBusy: setBusy,
      }),
    [],
  );
  useEffect(() => () => searcher.cancel(), [searcher]);

  const flat = useMemo(() => (answer?.groups ?? []).flatMap((g) => g.results), [answer]);

  const go = (h: Hit) => {
    setOpen(false);
    setQ("");
    setAnswer(null);
    navigate(pageOf(h));
  };

  const onKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      if (!open && flat.length) setOpen(true);
      setActive((a) => (flat.length ? (a + 1) % flat.length : -1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => (flat.length ? (a <= 0 ? flat.length - 1 : a - 1) : -1));
    } else if (e.key === "Enter") {
      if (open && active >= 0 && flat[active]) {
        e.preventDefault();
        go(flat[active]);
      }
    } else if (e.key === "Escape") {
      if (open) {
        e.preventDefault();
        setOpen(false);
        setActive(-1);
      } else setQ("");
    }
  };

  let index = -1;
  const optionId = (i: number) => `search-opt-${i}`;
  const showList = open && (answer !== null || !!error) && q.trim().length >= 2;

  return (
    <div class="search" role="search">
      <label for="global-search" class="visually-hidden">
        Search everything
      </label>
      <input
        id="global-search"
        ref={input}
        type="search"
        role="combobox"
        aria-expanded={showList}
        aria-controls="search-results"
        aria-autocomplete="list"
        aria-activedescendant={showList && active >= 0 ? optionId(active) : undefined}
        placeholder="Search leads, accounts, projects, phone numbers…"
        autoComplete="off"
        value={q}
        onInput={(e) => {
          const v = (e.currentTarget as HTMLInputElement).value;
          setQ(v);
          if (v.trim().length < 2) {
            setAnswer(null);
            setOpen(false);
          }
          searcher.input(v);
        }}
        onKeyDown={onKey}
        onFocus={() => answer && setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      <span class="visually-hidden" role="status" aria-live="polite">
        {busy ? "Searching" : showList ? (flat.length ? `${flat.length} results` : "No results") : ""}
      </span>
      {showList && (
        <div id="search-results" class="search-results" role="listbox" aria-label="Search results">
          {error && <p class="error">{error}</p>}
          {!error && flat.length === 0 && <p class="empty">Nothing found for “{q.trim()}”.</p>}
          {answer?.groups.map((g) => (
            <div role="group" aria-labelledby={`search-g-${g.type}`} key={g.type}>
              <div class="group-label" id={`search-g-${g.type}`} role="presentation">
                {TYPE_LABELS[g.type] ?? g.type}
              </div>
              {g.results.map((h) => {
                index++;
                const i = index;
                return (
                  <div
                    key={h.id}
                    id={optionId(i)}
                    role="option"
                    aria-selected={i === active}
                    class={i === active ? "option active" : "option"}
                    onMouseDown={(e) => {
                      e.preventDefault();
                      go(h);
                    }}
                    onMouseEnter={() => setActive(i)}
                  >
                    <span class="title">{h.title}</span>
                    {h.subtitle && <span class="subtitle">{h.subtitle}</span>}
                  </div>
                );
              })}
            </div>
          ))}
          {answer && answer.missing.length > 0 && (
            <p class="hint">Not searched (unavailable): {answer.missing.map((m) => m.service).join(", ")}</p>
          )}
        </div>
      )}
    </div>
  );
}
