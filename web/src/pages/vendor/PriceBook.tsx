// The vendor's prices (vendor admin): the price book (products with their
// list price per currency), the weighted average prices of Licenses, HWaaS
// and CLASSOUND per currency (Expected MRR is computed from them), and the
// partner discounts, per tier or per partner. Every amount and percent is
// exact decimal text, typed and sent as text: nothing here goes through a
// floating-point number.

import { useEffect, useState } from "preact/hooks";
import { api, idempotent, input, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { ApiError } from "../../lib/problem";
import { formatMoney } from "../../lib/money";
import { DateText, Dialog, ErrorMessage, Field, Loading, Select, TextInput, useAsync, words, type Async } from "../../components/ui";
import { SpecForm, type FieldSpec } from "../../components/Form";
import { errorsOf, partnerName, usePartners, useActions, type Partner } from "./shared";

type S = components["schemas"];
type Product = S["ProductJson"];
type Discount = S["DiscountJson"];

export const FAMILIES: [string, string][] = [
  ["licenses", "Licenses"],
  ["hwaas", "HWaaS"],
  ["classound", "CLASSOUND"],
  ["hardware", "Hardware"],
  ["services", "Services"],
];

export const BILLINGS: [string, string][] = [
  ["monthly", "Monthly (recurring)"],
  ["one_time", "One-time"],
];

const label = (options: [string, string][], v: string) => options.find(([k]) => k === v)?.[1] ?? (v ? words(v) : "—");

/** Currencies offered by the choosers: the usual ones and any the price book already has. */
const USUAL = ["EUR", "USD", "GBP", "CHF", "DKK", "NOK", "SEK", "PLN", "CZK", "JPY"];

export function PriceBook() {
  const products = useAsync(async (signal) => {
    const all: Product[] = [];
    let page_token = "";
    do {
      const page = await ok(api.GET("/api/v1/products", { params: { query: { page_size: 100, page_token: page_token || undefined, order_by: "sku" } }, signal }));
      all.push(...page.items);
      page_token = page.next_page_token;
    } while (page_token);
    return all;
  }, []);
  const currencies = [...new Set([...USUAL, ...(products.data ?? []).flatMap((p) => p.list_prices.map((m) => m.currency_code))])].filter(Boolean);
  return (
    <section class="vendor-page">
      <h1>Price book</h1>
      <p class="hint">The vendor's prices: partners never type a price or a discount, their quotes take them from here.</p>
      <Products products={products} />
      <Waps currencies={currencies} />
      <Discounts />
    </section>
  );
}

function Products({ products }: { products: Async<Product[]> }) {
  const [dialog, setDialog] = useState<{ kind: "new" } | { kind: "edit" | "price"; p: Product } | null>(null);
  const act = useActions();
  const close = () => setDialog(null);
  const list = products.data ?? [];
  const edited = dialog && dialog.kind !== "new" ? dialog.p : null;
  return (
    <section class="card" aria-labelledby="pb-products">
      <div class="page-head">
        <h2 id="pb-products">Products</h2>
        <button type="button" onClick={() => setDialog({ kind: "new" })}>
          New product
        </button>
      </div>
      {act.status}
      <ErrorMessage error={products.error} />
      {products.loading && !products.data && <Loading what="Loading the price book" />}
      {products.data && list.length === 0 && <p class="empty-state">The price book is empty. Add a product.</p>}
      {list.length > 0 && (
        <div class="table-wrap">
          <table class="list price-book">
            <caption class="visually-hidden">Products of the price book, by SKU</caption>
            <thead>
              <tr>
                <th scope="col">SKU</th>
                <th scope="col">Name</th>
                <th scope="col">Family</th>
                <th scope="col">Billing</th>
                <th scope="col">Active</th>
                <th scope="col">List prices</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.id} class={p.active ? undefined : "inactive"}>
                  <th scope="row">{p.sku}</th>
                  <td>{p.name}</td>
                  <td>{label(FAMILIES, p.family)}</td>
                  <td>{label(BILLINGS, p.billing)}</td>
                  <td>{p.active ? "Yes" : "No (not offered)"}</td>
                  <td>
                    {p.list_prices.length === 0 ? (
                      <span class="hint">No price yet</span>
                    ) : (
                      <ul class="plain">
                        {p.list_prices.map((m) => (
                          <li key={m.currency_code} class="money">
                            {formatMoney(m.amount, m.currency_code)}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td class="row-actions">
                    <button type="button" class="secondary small" aria-label={`Edit ${p.sku}`} onClick={() => setDialog({ kind: "edit", p })}>
                      Edit
                    </button>
                    <button type="button" class="secondary small" aria-label={`Set a list price of ${p.sku}`} onClick={() => setDialog({ kind: "price", p })}>
                      Set price
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog open={dialog?.kind === "new"} title="New product" onClose={close}>
        <SpecForm
          fields={[
            { name: "sku", label: "SKU", required: true, hint: "2–40 letters, digits and dashes; stored in capitals." },
            { name: "name", label: "Name", required: true },
            { name: "family", label: "Family", type: "select", options: FAMILIES },
            { name: "billing", label: "Billing", type: "select", options: BILLINGS },
          ]}
          submitLabel="Create product"
          onCancel={close}
          onSubmit={async (v) => {
            const p = await ok(
              api.POST("/api/v1/products", {
                body: input<"ProductCreate">({ sku: String(v.sku ?? ""), name: String(v.name ?? ""), family: v.family as S["ProductCreate"]["family"], billing: v.billing as S["ProductCreate"]["billing"] }),
                headers: idempotent(),
              }),
            );
            close();
            products.reload();
            act.announce(`${p.sku} is created and offered to partners: give it a list price.`);
          }}
        >
          <p class="hint">A new product is active: partners are offered it at once. Give it a list price next, or make it inactive with Edit until then.</p>
        </SpecForm>
      </Dialog>
      <Dialog open={dialog?.kind === "edit"} title={edited ? `Edit ${edited.sku}` : "Edit product"} onClose={close}>
        {dialog?.kind === "edit" && edited && (
          <SpecForm
            fields={[
              { name: "name", label: "Name", required: true },
              { name: "family", label: "Family", type: "select", options: FAMILIES },
              { name: "billing", label: "Billing", type: "select", options: BILLINGS },
              { name: "active", label: "Active (offered on quotes and orders)", type: "checkbox" },
            ]}
            initial={edited}
            submitLabel="Save"
            onCancel={close}
            onSubmit={async (v) => {
              const changed: Record<string, unknown> = {};
              for (const k of ["name", "family", "billing", "active"] as const) if (v[k] !== edited[k]) changed[k] = v[k];
              if (Object.keys(changed).length) await ok(api.PATCH("/api/v1/products/{id}", { params: { path: { id: edited.id } }, body: input<"ProductInput">(changed) }));
              close();
              products.reload();
              act.announce(`${edited.sku} is saved.`);
            }}
          />
        )}
      </Dialog>
      <Dialog open={dialog?.kind === "price"} title={edited ? `List price of ${edited.sku}` : "List price"} onClose={close}>
        {dialog?.kind === "price" && edited && <PriceForm product={edited} onCancel={close} onDone={(m) => (close(), products.reload(), act.announce(`${edited.sku}: list price ${m}.`))} />}
      </Dialog>
    </section>
  );
}

function PriceForm({ product, onCancel, onDone }: { product: Product; onCancel: () => void; onDone: (shown: string) => void }) {
  const first = product.list_prices[0];
  const fields: FieldSpec[] = [
    { name: "currency", label: "Currency", required: true, hint: "ISO 4217 code, e.g. EUR" },
    { name: "amount", label: "Amount", type: "decimal", required: true, hint: "Exact, e.g. 19.90" },
  ];
  return (
    <SpecForm
      fields={fields}
      initial={{ currency: first?.currency_code ?? "EUR", amount: first?.amount ?? "" }}
      submitLabel="Set price"
      onCancel={onCancel}
      onSubmit={async (v) => {
        const currency = String(v.currency ?? "").trim().toUpperCase();
        const amount = String(v.amount ?? "").trim();
        // The currency is a part of the address: without one there is nothing to ask the server.
        if (!currency) throw new ApiError({ status: 400, title: "Bad request", detail: "Give the currency of the price.", errors: [{ field: "currency", message: "is required" }] });
        const p = await ok(api.PUT("/api/v1/products/{id}/prices/{currency}", { params: { path: { id: product.id, currency } }, body: { amount } }));
        const stored = p.list_prices.find((m) => m.currency_code === currency);
        onDone(formatMoney(stored?.amount ?? amount, currency));
      }}
    >
      {product.list_prices.length > 0 && (
        <p class="hint">
          Now: {product.list_prices.map((m) => formatMoney(m.amount, m.currency_code)).join(", ")}. A price in the same currency replaces it.
        </p>
      )}
    </SpecForm>
  );
}

const WAP_FIELDS = [
  ["licenses", "Licenses"],
  ["hwaas", "HWaaS"],
  ["classound", "CLASSOUND"],
] as const;
type WapKey = (typeof WAP_FIELDS)[number][0];

function Waps({ currencies }: { currencies: string[] }) {
  const [currency, setCurrency] = useState("EUR");
  const wap = useAsync(async (signal) => {
    try {
      return await ok(api.GET("/api/v1/weighted-average-prices/{currency}", { params: { path: { currency } }, signal }));
    } catch (e) {
      // None set yet for this currency: the form starts empty.
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }, [currency]);
  const [values, setValues] = useState<Record<WapKey, string>>({ licenses: "", hwaas: "", classound: "" });
  const act = useActions();
  useEffect(() => {
    if (wap.data !== undefined) setValues({ licenses: wap.data?.licenses ?? "", hwaas: wap.data?.hwaas ?? "", classound: wap.data?.classound ?? "" });
  }, [wap.data]);
  const errors = errorsOf(act.error, WAP_FIELDS.map(([k]) => k));
  return (
    <section class="card" aria-labelledby="pb-wap">
      <h2 id="pb-wap">Weighted average prices</h2>
      <p class="hint">Per user and month, per currency: a project's Expected MRR is its Total Users × the prices of the solutions it is interested in.</p>
      <div class="inline-form">
        <Select label="Currency" name="wap_currency" value={currency} onValue={(c) => (act.setError(null), act.announce(""), setCurrency(c))} options={currencies.map((c) => [c, c] as const)} />
      </div>
      {act.status}
      <ErrorMessage error={wap.error} />
      {wap.loading && <Loading what={`Loading the ${currency} prices`} />}
      {!wap.loading && wap.data === null && <p class="notice">No weighted average prices in {currency} yet: projects in {currency} have no Expected MRR until they are set.</p>}
      {!wap.loading && wap.data !== undefined && (
        <form
          class="wap-form"
          aria-label={`Weighted average prices in ${currency}`}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void act.run(async () => {
              const stored = await ok(api.PUT("/api/v1/weighted-average-prices/{currency}", { params: { path: { currency } }, body: input<"WapJson">({ ...values }) }));
              wap.set(stored);
            }, `The ${currency} weighted average prices are saved.`);
          }}
        >
          <ErrorMessage error={act.error} />
          <div class="wap-fields">
            {WAP_FIELDS.map(([k, l]) => (
              <TextInput
                key={k}
                label={`${l} (${currency})`}
                name={k}
                inputMode="decimal"
                value={values[k]}
                error={errors[k]}
                onValue={(v) => setValues((o) => ({ ...o, [k]: v.replace(",", ".") }))}
              />
            ))}
          </div>
          <div class="actions">
            <button type="submit" disabled={act.busy}>
              Save {currency} prices
            </button>
            {wap.data?.update_time && (
              <span class="hint">
                Last changed <DateText value={wap.data.update_time} time />
              </span>
            )}
          </div>
        </form>
      )}
    </section>
  );
}

function Discounts() {
  const discounts = useAsync(async (signal) => (await ok(api.GET("/api/v1/partner-discounts", { signal }))).items, []);
  const partners = usePartners();
  const [dialog, setDialog] = useState<Discount | "new" | null>(null);
  const act = useActions();
  const list = discounts.data ?? [];
  const scope = (d: Discount) => (d.tier ? `Tier “${d.tier}”` : `Partner ${partnerName(partners.data, d.partner_id)}`);
  const tiers = [...new Set([...(partners.data ?? []).map((p) => p.tier ?? ""), ...list.map((d) => d.tier)].filter(Boolean))].sort();
  const sorted = [...list].sort((a, b) => (a.tier ? 0 : 1) - (b.tier ? 0 : 1) || scope(a).localeCompare(scope(b)));
  return (
    <section class="card" aria-labelledby="pb-discounts">
      <div class="page-head">
        <h2 id="pb-discounts">Partner discounts</h2>
        <button type="button" onClick={() => setDialog("new")}>
          Set a discount
        </button>
      </div>
      <p class="hint">A quote line's discount is its partner's own, else its partner's tier's.</p>
      {act.status}
      <ErrorMessage error={discounts.error || partners.error} />
      {discounts.loading && !discounts.data && <Loading what="Loading the discounts" />}
      {discounts.data && list.length === 0 && <p class="empty-state">No discounts: partners pay list prices.</p>}
      {list.length > 0 && (
        <table class="compact discounts">
          <caption class="visually-hidden">Partner discounts, per tier and per partner</caption>
          <thead>
            <tr>
              <th scope="col">Applies to</th>
              <th scope="col" class="num">
                Discount
              </th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((d) => (
              <tr key={d.tier || d.partner_id}>
                <th scope="row">{scope(d)}</th>
                <td class="num">{d.percent} %</td>
                <td class="row-actions">
                  <button type="button" class="secondary small" aria-label={`Change the discount of ${scope(d)}`} onClick={() => setDialog(d)}>
                    Change
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Dialog open={dialog !== null} title={dialog && dialog !== "new" ? `Discount of ${scope(dialog)}` : "Set a partner discount"} onClose={() => setDialog(null)}>
        {dialog !== null && (
          <DiscountForm
            current={dialog === "new" ? null : dialog}
            partners={partners.data ?? []}
            tiers={tiers}
            onCancel={() => setDialog(null)}
            onDone={(d) => {
              setDialog(null);
              discounts.reload();
              act.announce(`${scope(d)}: ${d.percent} % discount.`);
            }}
          />
        )}
      </Dialog>
    </section>
  );
}

function DiscountForm({ current, partners, tiers, onCancel, onDone }: { current: Discount | null; partners: Partner[]; tiers: string[]; onCancel: () => void; onDone: (d: Discount) => void }) {
  const [kind, setKind] = useState<"tier" | "partner">(current && !current.tier ? "partner" : "tier");
  const [tier, setTier] = useState(current?.tier ?? tiers[0] ?? "");
  const [partner, setPartner] = useState(current?.partner_id || partners[0]?.id || "");
  const [percent, setPercent] = useState(current?.percent ?? "");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = errorsOf(error, ["tier", "partner_id", "percent"]);
  return (
    <form
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const body = kind === "tier" ? input<"DiscountJson">({ tier, percent }) : input<"DiscountJson">({ partner_id: partner, percent });
          onDone(await ok(api.PUT("/api/v1/partner-discounts", { body })));
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <ErrorMessage error={error} />
      {current ? (
        <p>{current.tier ? `Every partner of tier “${current.tier}” without a discount of its own.` : `${partnerName(partners, current.partner_id)} only.`}</p>
      ) : (
        <>
          <fieldset class="field">
            <legend>Applies to</legend>
            <label class="inline">
              <input type="radio" name="kind" value="tier" checked={kind === "tier"} onChange={() => setKind("tier")} /> A tier
            </label>
            <label class="inline">
              <input type="radio" name="kind" value="partner" checked={kind === "partner"} onChange={() => setKind("partner")} /> One partner
            </label>
          </fieldset>
          {kind === "tier" ? (
            <Field label="Tier" error={errors.tier} hint={tiers.length ? `Partners' tiers: ${tiers.join(", ")}` : undefined}>
              {(id, described, invalid) => (
                <>
                  <input id={id} name="tier" list="known-tiers" value={tier} aria-describedby={described} aria-invalid={invalid || undefined} onInput={(e) => setTier(e.currentTarget.value)} />
                  <datalist id="known-tiers">
                    {tiers.map((t) => (
                      <option key={t} value={t} />
                    ))}
                  </datalist>
                </>
              )}
            </Field>
          ) : (
            <Select label="Partner" name="partner_id" value={partner} onValue={setPartner} error={errors.partner_id} options={partners.map((p) => [p.id, p.name] as const)} />
          )}
        </>
      )}
      <TextInput label="Discount (%)" name="percent" inputMode="decimal" required value={percent} error={errors.percent} hint="0 to 100, e.g. 12.5" onValue={(v) => setPercent(v.replace(",", "."))} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          Save discount
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
