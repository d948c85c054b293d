// An order: its lines and totals as placed, and the moves of its status path
// the server offers the reader (the partner submits and completes, the
// vendor approves and ships; either cancels while it may). A vendor admin
// overrides a stock order's line discount until it is approved.

import { useState } from "preact/hooks";
import { api, idempotent, input, ok } from "../api/client";
import type { components } from "../api/schema";
import { useMe } from "../lib/me";
import { navigate } from "../lib/router";
import { formatMoney } from "../lib/money";
import { RecordLink } from "../components/Names";
import { AddressLines, CellInput, LineTable, Moves, StatusPath, Totals } from "../components/Lines";
import { Files, History, Notes, useFollowing } from "../components/Related";
import { DateText, Dialog, ErrorMessage, Field, Loading, Select, TextInput, useAnnouncer, useAsync, words } from "../components/ui";
import { usePriceBook } from "./QuotePage";

type OrderJson = components["schemas"]["OrderJson"];
type Status = OrderJson["status"];

const at = (id: string) => ({ params: { path: { id } } });

const PATH: Status[] = ["draft", "submitted", "approved", "shipped", "completed"];

function moveLabel(to: Status): string {
  switch (to) {
    case "submitted":
      return "Submit the order";
    case "approved":
      return "Approve";
    case "shipped":
      return "Mark shipped";
    case "completed":
      return "Mark completed";
    case "cancelled":
      return "Cancel the order";
    default:
      return `Move to ${words(to).toLowerCase()}`;
  }
}

export function OrderPage({ id }: { id: string }) {
  const me = useMe();
  const o = useAsync(() => ok(api.GET("/api/v1/orders/{id}", at(id))), [id]);
  const follow = useFollowing("orders", id);
  const [error, setError] = useState<unknown>(null);
  const [said, announce] = useAnnouncer();
  const [version, setVersion] = useState(0);
  if (o.loading && !o.data) return <Loading />;
  if (!o.data)
    return (
      <section>
        <h1>Order</h1>
        <ErrorMessage error={o.error} />
        <p>
          <a href="/orders">Back to orders</a>
        </p>
      </section>
    );
  const k = o.data;
  const act = async (f: () => Promise<OrderJson>, done: string) => {
    setError(null);
    try {
      o.set(await f());
      setVersion((v) => v + 1);
      announce(done);
    } catch (e) {
      setError(e);
    }
  };
  const overrides = me.role === "vendor_admin" && k.type === "stock" && (k.status === "draft" || k.status === "submitted");
  return (
    <article class="record order">
      <div class="page-head">
        <div>
          <p class="kind">{k.type === "stock" ? "Stock order" : "Order"}</p>
          <h1>{k.number}</h1>
          <p class="hint">
            {k.project_id ? (
              <>
                Project <RecordLink kind="projects" id={k.project_id} /> · Quote <RecordLink kind="quotes" id={k.quote_id} />
              </>
            ) : (
              "For stock, with no project"
            )}
            {k.account_id && (
              <>
                {" "}
                · Account <RecordLink kind="accounts" id={k.account_id} />
              </>
            )}
          </p>
        </div>
        <section class="options" aria-label="Options">
          <button type="button" class="secondary" aria-pressed={follow.following} disabled={!follow.loaded} onClick={() => void follow.toggle()}>
            {follow.following ? "Unfollow" : "Follow"}
          </button>
        </section>
      </div>
      <p class="visually-hidden" role="status" aria-live="polite">
        {said}
      </p>
      <ErrorMessage error={error} />
      <StatusPath label="Order status" path={PATH} endings={["cancelled"]} status={k.status} />
      <Moves moves={k.moves} label={moveLabel} secondary={["cancelled"]} onMove={(to) => void act(() => ok(api.POST("/api/v1/orders/{id}:transition", { ...at(id), body: { status: to } })), `The order is ${words(to).toLowerCase()}.`)} />
      <section class="card" aria-labelledby="o-lines">
        <h2 id="o-lines">Lines</h2>
        <LineTable
          caption="The order's lines"
          lines={k.lines}
          currency={k.currency_code}
          discount={
            overrides
              ? (l) => (
                  <CellInput
                    label={`Discount % of ${l.product_name}`}
                    value={l.discount_percent}
                    onValue={(discount_percent) => void act(() => ok(api.PATCH("/api/v1/orders/{id}/lines/{line_id}", { params: { path: { id, line_id: l.id } }, body: { discount_percent } })), `${l.product_name}: discount ${discount_percent} %.`)}
                  />
                )
              : undefined
          }
        />
        <Totals mrr={k.mrr} oneTime={k.one_time_total} currency={k.currency_code} testid="order" />
      </section>
      <div class="record-grid">
        <section class="card" aria-labelledby="o-details">
          <h2 id="o-details">Details</h2>
          <dl class="details">
            <div class="detail-row">
              <dt>Status</dt>
              <dd>{words(k.status)}</dd>
            </div>
            <div class="detail-row">
              <dt>Currency</dt>
              <dd>{k.currency_code}</dd>
            </div>
            <div class="detail-row">
              <dt>Ships to</dt>
              <dd>
                <AddressLines address={k.shipping_address} none="No address." />
              </dd>
            </div>
            <div class="detail-row">
              <dt>Placed</dt>
              <dd>
                <DateText value={k.create_time} time />
              </dd>
            </div>
          </dl>
        </section>
        <section class="related" aria-label="Related">
          <Notes collection="orders" id={id} version={version} />
          <Files collection="orders" id={id} />
          <History collection="orders" id={id} version={version} />
        </section>
      </div>
      <p>
        <a href="/orders">Back to orders</a>
      </p>
    </article>
  );
}

/** A stock order: products from the price book for the partner to keep in stock, priced by the server. */
export function NewStockOrder() {
  const me = useMe();
  const [open, setOpen] = useState(false);
  const [currency, setCurrency] = useState("EUR");
  const [addr, setAddr] = useState({ street: "", postal_code: "", city: "", country: "" });
  const [lines, setLines] = useState<{ product_id: string; quantity: string }[]>([{ product_id: "", quantity: "1" }]);
  const [error, setError] = useState<unknown>(null);
  const book = usePriceBook(currency);
  if (!me.partner_id) return null;
  const products: [string, string][] = [["", "Choose a product"], ...(book.data ?? []).map((p): [string, string] => [p.id, `${p.name} (${p.sku}) · ${p.price ? formatMoney(p.price.amount, p.price.currency_code) : `no ${currency} price`}`])];
  const setLine = (i: number, patch: Partial<(typeof lines)[number]>) => setLines((ls) => ls.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        New stock order
      </button>
      <Dialog open={open} title="New stock order" onClose={() => setOpen(false)} wide>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setError(null);
            const body = input<"OrderInput">({ type: "stock", currency_code: currency, shipping_address: { ...addr, region: "" }, lines: lines.map((l) => ({ product_id: l.product_id, quantity: Number(l.quantity) })) });
            void ok(api.POST("/api/v1/orders", { body, headers: idempotent() })).then((o) => {
              setOpen(false);
              navigate(`/orders/${o.id}`);
            }, setError);
          }}
        >
          <ErrorMessage error={error ?? book.error} />
          <TextInput label="Currency" name="currency_code" value={currency} onValue={setCurrency} hint="ISO 4217, e.g. EUR" required />
          <fieldset>
            <legend>Ship to</legend>
            <TextInput label="Street" name="street" value={addr.street} onValue={(street) => setAddr({ ...addr, street })} required />
            <TextInput label="Postal code" name="postal_code" value={addr.postal_code} onValue={(postal_code) => setAddr({ ...addr, postal_code })} />
            <TextInput label="City" name="city" value={addr.city} onValue={(city) => setAddr({ ...addr, city })} required />
            <TextInput label="Country" name="country" value={addr.country} onValue={(country) => setAddr({ ...addr, country })} hint="ISO 3166 code, e.g. DE" />
          </fieldset>
          <fieldset>
            <legend>Lines</legend>
            {lines.map((l, i) => (
              <div class="add-line" key={i}>
                <Select label={`Product ${i + 1}`} name={`product-${i}`} value={l.product_id} onValue={(product_id) => setLine(i, { product_id })} options={products} required />
                <Field label={`Quantity ${i + 1}`}>{(fid) => <input id={fid} type="number" min={1} max={1000000} required value={l.quantity} onInput={(e) => setLine(i, { quantity: e.currentTarget.value })} />}</Field>
                {lines.length > 1 && (
                  <button type="button" class="link" onClick={() => setLines((ls) => ls.filter((_, j) => j !== i))}>
                    Remove line {i + 1}
                  </button>
                )}
              </div>
            ))}
            <button type="button" class="secondary" onClick={() => setLines((ls) => [...ls, { product_id: "", quantity: "1" }])}>
              Add another line
            </button>
            <p class="hint">Prices and your discount are the vendor's price book; the order's totals are computed when it is placed.</p>
          </fieldset>
          <div class="actions">
            <button type="submit">Place the stock order</button>
            <button type="button" class="secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
