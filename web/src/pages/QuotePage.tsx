// A quote, built line by line: products from the price book with the
// partner's discount (the vendor's, shown and never typed by a partner),
// quantities, and the MRR and one-time totals as the server computes them
// after every change. The shipping address type fills the address; the quote
// can be made its project's primary (the project's MRR follows), moved along
// its status path as the server offers, previewed as a PDF and e-mailed to a
// contact of the account. An accepted quote places its order here.

import { useEffect, useState } from "preact/hooks";
import { api, idempotent, input, ok, rawResponse } from "../api/client";
import type { components } from "../api/schema";
import { useMe } from "../lib/me";
import { canEdit } from "../lib/domain";
import { navigate } from "../lib/router";
import { isoDay } from "../lib/date";
import { formatMoney } from "../lib/money";
import { RecordLink } from "../components/Names";
import { AddressLines, CellInput, LineTable, Moves, StatusPath, Totals } from "../components/Lines";
import { Activities, Files, History, Notes, useFollowing } from "../components/Related";
import { DateText, Dialog, ErrorMessage, Field, Loading, Select, TextInput, useAnnouncer, useAsync, words } from "../components/ui";

type S = components["schemas"];
type QuoteJson = S["QuoteJson"];
type Line = S["QuoteLineJson"];
type Status = QuoteJson["status"];
type Shipping = Exclude<QuoteJson["shipping_address_type"], "">;

const at = (id: string) => ({ params: { path: { id } } });

export const SHIPPING: [Shipping, string][] = [
  ["end_user", "End User Address"],
  ["partner", "Partner Address"],
  ["reseller", "Reseller Address"],
];

/** The path as the customer sees it; where the quote may go next is the server's. */
const PATH: Status[] = ["draft", "presented", "contract_sent", "accepted"];

function moveLabel(to: Status): string {
  switch (to) {
    case "presented":
      return "Mark presented";
    case "contract_sent":
      return "Send the contract";
    case "accepted":
      return "Mark accepted";
    case "rejected":
      return "Mark rejected";
    case "expired":
      return "Mark expired";
    default:
      return `Move to ${words(to).toLowerCase()}`;
  }
}


/** A new quote of a project, opened in the builder once it is saved. */
export function CreateQuoteDialog({ open, onClose, project }: { open: boolean; onClose: () => void; project: { id: string; name?: unknown; currency_code?: unknown } }) {
  const [name, setName] = useState("");
  const [currency, setCurrency] = useState("");
  const [expiry, setExpiry] = useState(isoDay(30));
  const [shipping, setShipping] = useState<Shipping>("end_user");
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!open) return;
    setName(`${(project.name as string) || "Quote"} quote`);
    setCurrency((project.currency_code as string) || "EUR");
    setError(null);
  }, [open]);
  return (
    <Dialog open={open} title="New quote" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          void ok(
            api.POST("/api/v1/projects/{id}/quotes", {
              ...at(project.id),
              body: input<"QuoteInput">({ name, currency_code: currency, expiry_date: expiry, shipping_address_type: shipping }),
              headers: idempotent(),
            }),
          ).then((q) => {
            onClose();
            navigate(`/quotes/${q.id}`);
          }, setError);
        }}
      >
        <ErrorMessage error={error} />
        <TextInput label="Quote name" name="name" value={name} onValue={setName} required />
        <TextInput label="Currency" name="currency_code" value={currency} onValue={setCurrency} hint="ISO 4217, e.g. EUR" required />
        <TextInput label="Valid until" name="expiry_date" type="date" value={expiry} onValue={setExpiry} />
        <Select label="Shipping address" name="shipping_address_type" value={shipping} onValue={(v) => setShipping(v as Shipping)} options={SHIPPING} />
        <div class="actions">
          <button type="submit">Create quote</button>
          <button type="button" class="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function QuotePage({ id }: { id: string }) {
  const me = useMe();
  const q = useAsync(() => ok(api.GET("/api/v1/quotes/{id}", at(id))), [id]);
  const follow = useFollowing("quotes", id);
  const [error, setError] = useState<unknown>(null);
  const [said, announce] = useAnnouncer();
  const [version, setVersion] = useState(0);
  const [sending, setSending] = useState(false);
  const [pdf, setPdf] = useState<string | null>(null);
  useEffect(() => () => void (pdf && URL.revokeObjectURL(pdf)), [pdf]);

  if (q.loading && !q.data) return <Loading />;
  if (!q.data)
    return (
      <section>
        <h1>Quote</h1>
        <ErrorMessage error={q.error} />
        <p>
          <a href="/quotes">Back to quotes</a>
        </p>
      </section>
    );
  const k = q.data;
  const vendor = me.role === "vendor_admin";
  const writable = canEdit(me, k);
  const editable = writable && (k.status === "draft" || k.status === "presented");
  /** Runs a change; the quote the server answers replaces the page's. */
  const act = async (f: () => Promise<QuoteJson | unknown>, done: string) => {
    setError(null);
    try {
      const next = await f();
      if (next && typeof next === "object" && "lines" in next) q.set(next as QuoteJson);
      else q.reload();
      setVersion((v) => v + 1);
      announce(done);
    } catch (e) {
      setError(e);
    }
  };
  const preview = async () => {
    setError(null);
    try {
      const res = await rawResponse("GET", `/api/v1/quotes/${id}/document`, { headers: { Accept: "application/pdf" } });
      setPdf(URL.createObjectURL(await res.blob()));
    } catch (e) {
      setError(e);
    }
  };

  return (
    <article class="record quote">
      <div class="page-head">
        <div>
          <p class="kind">Quote {k.number}</p>
          <h1>{k.name}</h1>
          <p class="hint">
            Project <RecordLink kind="projects" id={k.project_id} /> · Account <RecordLink kind="accounts" id={k.account_id} />
            {k.primary && (
              <>
                {" "}
                · <strong class="badge">Primary quote</strong>
              </>
            )}
          </p>
        </div>
        <section class="options" aria-label="Options">
          {writable && !k.primary && (
            <button type="button" class="secondary" onClick={() => void act(() => ok(api.POST("/api/v1/quotes/{id}:setPrimary", at(id))), "This is now the project's primary quote.")}>
              Make primary
            </button>
          )}
          <button type="button" class="secondary" onClick={() => void preview()}>
            Preview PDF
          </button>
          {writable && (
            <button type="button" class="secondary" onClick={() => setSending(true)}>
              E-mail to a contact
            </button>
          )}
          <button type="button" class="secondary" aria-pressed={follow.following} disabled={!follow.loaded} onClick={() => void follow.toggle()}>
            {follow.following ? "Unfollow" : "Follow"}
          </button>
        </section>
      </div>
      <p class="visually-hidden" role="status" aria-live="polite">
        {said}
      </p>
      <ErrorMessage error={error} />

      <StatusPath label="Quote status" path={PATH} endings={["rejected", "expired"]} status={k.status} />
      {writable && <Moves moves={k.moves} label={moveLabel} secondary={["rejected", "expired"]} onMove={(to) => void act(() => ok(api.POST("/api/v1/quotes/{id}:transition", { ...at(id), body: { status: to } })), `The quote is ${words(to).toLowerCase()}.`)} />}
      {k.status === "accepted" && writable && <PlaceOrder quoteId={id} />}

      <section class="card" aria-labelledby="q-lines">
        <h2 id="q-lines">Lines</h2>
        {!editable && <p class="hint">{k.status === "draft" || k.status === "presented" ? "Only the quote's owner or a partner admin changes its lines." : "The contract is out: the lines no longer change."}</p>}
        <LinesTable quote={k} editable={editable} vendor={vendor && (k.status === "draft" || k.status === "presented")} act={act} />
        {editable && <AddLine quote={k} act={act} />}
        <Totals mrr={k.mrr} oneTime={k.one_time_total} currency={k.currency_code} testid="quote" />
      </section>

      <div class="record-grid">
        <section class="card" aria-labelledby="q-details">
          <h2 id="q-details">Details</h2>
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
              <dt>Valid until</dt>
              <dd>
                {editable ? (
                  <input
                    type="date"
                    aria-label="Valid until"
                    value={k.expiry_date}
                    onChange={(e) => {
                      const v = e.currentTarget.value;
                      void act(() => ok(api.PATCH("/api/v1/quotes/{id}", { ...at(id), body: input<"QuoteInput">({ expiry_date: v }) })), "Saved.");
                    }}
                  />
                ) : (
                  <DateText value={k.expiry_date} />
                )}
              </dd>
            </div>
            <div class="detail-row">
              <dt>Shipping address</dt>
              <dd>
                {editable ? (
                  <select
                    aria-label="Shipping address type"
                    value={k.shipping_address_type || "end_user"}
                    onChange={(e) => {
                      const v = e.currentTarget.value as Shipping;
                      void act(() => ok(api.PATCH("/api/v1/quotes/{id}", { ...at(id), body: input<"QuoteInput">({ shipping_address_type: v }) })), "Shipping address changed.");
                    }}
                  >
                    {SHIPPING.map(([v, l]) => (
                      <option key={v} value={v}>
                        {l}
                      </option>
                    ))}
                  </select>
                ) : (
                  (SHIPPING.find(([v]) => v === k.shipping_address_type)?.[1] ?? "End User Address")
                )}
                <AddressLines address={k.shipping_address} none="The matching record has no address yet." testid="shipping-address" />
              </dd>
            </div>
            <div class="detail-row">
              <dt>Created</dt>
              <dd>
                <DateText value={k.create_time} time />
              </dd>
            </div>
          </dl>
        </section>
        <section class="related" aria-label="Related">
          <Activities collection="quotes" id={id} canAdd={writable} />
          <Notes collection="quotes" id={id} version={version} />
          <Files collection="quotes" id={id} />
          <History collection="quotes" id={id} version={version} />
        </section>
      </div>
      {pdf && (
        <section class="card" aria-labelledby="q-pdf">
          <h2 id="q-pdf">PDF preview</h2>
          <iframe class="pdf" title="The quote as a PDF" src={pdf} />
          <p>
            <a href={pdf} download={`${k.name || "quote"}.pdf`}>
              Download the PDF
            </a>{" "}
            <button type="button" class="link" onClick={() => setPdf(null)}>
              Close the preview
            </button>
          </p>
        </section>
      )}
      <SendDialog open={sending} onClose={() => setSending(false)} quote={k} onSent={(to) => announce(`The quote is sent to ${to}.`)} />
      <p>
        <a href="/quotes">Back to quotes</a>
      </p>
    </article>
  );
}

type Act = (f: () => Promise<QuoteJson | unknown>, done: string) => Promise<void>;

function LinesTable({ quote, editable, vendor, act }: { quote: QuoteJson; editable: boolean; vendor: boolean; act: Act }) {
  const path = (line: Line) => ({ params: { path: { id: quote.id, line_id: line.id } } });
  const patch = (l: Line, body: S["LinePatch"], done: string) => void act(() => ok(api.PATCH("/api/v1/quotes/{id}/lines/{line_id}", { ...path(l), body })), done);
  if (quote.lines.length === 0) return <p class="empty">No lines yet. Add a product from the price book below.</p>;
  return (
    <LineTable
      caption="The quote's lines"
      lines={quote.lines}
      currency={quote.currency_code}
      quantity={editable ? (l) => <CellInput numeric label={`Quantity of ${l.product_name}`} value={l.quantity} onValue={(v) => patch(l, input<"LinePatch">({ quantity: Number(v) }), `${l.product_name}: quantity ${v}.`)} /> : undefined}
      discount={vendor ? (l) => <CellInput label={`Discount % of ${l.product_name}`} value={l.discount_percent} onValue={(v) => patch(l, input<"LinePatch">({ discount_percent: v }), `${l.product_name}: discount ${v} %.`)} /> : undefined}
      remove={
        editable
          ? (l) => (
              <button type="button" class="link" aria-label={`Remove ${l.product_name}`} onClick={() => void act(() => ok(api.DELETE("/api/v1/quotes/{id}/lines/{line_id}", path(l))), `${l.product_name} removed.`)}>
                Remove
              </button>
            )
          : undefined
      }
    />
  );
}

/** The active products of the price book, each with its list price in `currency`. */
export function usePriceBook(currency: string) {
  return useAsync(async (signal) => {
    const all: S["ProductJson"][] = [];
    let page_token = "";
    do {
      const page = await ok(api.GET("/api/v1/products", { params: { query: { page_size: 100, page_token, order_by: "name" } }, signal }));
      all.push(...page.items.filter((p) => p.active));
      page_token = page.next_page_token;
    } while (page_token);
    return all.map((p) => ({ ...p, price: p.list_prices.find((m) => m.currency_code === currency) }));
  }, [currency]);
}

function AddLine({ quote, act }: { quote: QuoteJson; act: Act }) {
  const book = usePriceBook(quote.currency_code);
  const discounts = useAsync(() => ok(api.GET("/api/v1/partner-discounts")), []);
  const [product, setProduct] = useState("");
  const [quantity, setQuantity] = useState("1");
  const own = discounts.data?.items.find((d) => d.partner_id === quote.partner_id) ?? discounts.data?.items.find((d) => d.tier);
  const options: [string, string][] = [
    ["", book.loading ? "Loading the price book…" : "Choose a product"],
    ...(book.data ?? []).map((p): [string, string] => [p.id, `${p.name} (${p.sku}) · ${p.price ? formatMoney(p.price.amount, p.price.currency_code) : `no ${quote.currency_code} price`}${p.billing === "monthly" ? " monthly" : " one-time"}`]),
  ];
  return (
    <form
      class="add-line"
      aria-label="Add a line"
      onSubmit={(e) => {
        e.preventDefault();
        const picked = book.data?.find((p) => p.id === product);
        void act(async () => {
          const r = await ok(api.POST("/api/v1/quotes/{id}/lines", { ...at(quote.id), body: { product_id: product, quantity: Number(quantity) } }));
          setProduct("");
          setQuantity("1");
          return r;
        }, `${picked?.name ?? "The product"} added.`);
      }}
    >
      <ErrorMessage error={book.error} />
      <Select label="Product" name="product_id" value={product} onValue={setProduct} options={options} required />
      <Field label="Quantity">{(fid) => <input id={fid} name="quantity" type="number" min={1} max={1000000} required value={quantity} onInput={(e) => setQuantity(e.currentTarget.value)} />}</Field>
      <button type="submit">Add line</button>
      <p class="hint">
        Prices are the vendor's price book{own ? `; your partner discount of ${own.percent} % applies to every line` : ""}. Only the vendor changes a discount.
      </p>
    </form>
  );
}

function SendDialog({ open, onClose, quote, onSent }: { open: boolean; onClose: () => void; quote: QuoteJson; onSent: (to: string) => void }) {
  const contacts = useAsync(
    async (signal) => (open ? (await ok(api.GET("/api/v1/contacts", { params: { query: { page_size: 100, filter: `account_id = ${quote.account_id}`, order_by: "last_name" } }, signal }))).items : []),
    [open, quote.account_id],
  );
  const [contact, setContact] = useState("");
  const [message, setMessage] = useState("");
  const [error, setError] = useState<unknown>(null);
  const list = contacts.data ?? [];
  const label = (c: (typeof list)[number]) => `${[c.first_name, c.last_name].filter(Boolean).join(" ")}${c.email ? ` <${c.email}>` : ""}`;
  return (
    <Dialog open={open} title="E-mail the quote" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          const to = list.find((c) => c.id === contact);
          void ok(api.POST("/api/v1/quotes/{id}:send", { ...at(quote.id), body: { contact_id: contact, message } })).then(() => {
            onClose();
            onSent(to ? label(to) : "the contact");
          }, setError);
        }}
      >
        <ErrorMessage error={error ?? contacts.error} />
        {contacts.data && list.length === 0 && <p class="empty">The account has no contacts yet. Add one on the account's page.</p>}
        <Select label="To" name="contact_id" value={contact} onValue={setContact} options={[["", "Choose a contact"], ...list.map((c): [string, string] => [c.id, label(c)])]} required />
        <Field label="Message" hint="Sent with the quote's PDF attached.">
          {(fid, described) => <textarea id={fid} name="message" rows={4} aria-describedby={described} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />}
        </Field>
        <div class="actions">
          <button type="submit">Send</button>
          <button type="button" class="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** An accepted quote's order: placed once (the server says if it was already). */
function PlaceOrder({ quoteId }: { quoteId: string }) {
  const [error, setError] = useState<unknown>(null);
  const placed = useAsync(async (signal) => (await ok(api.GET("/api/v1/orders", { params: { query: { page_size: 1, filter: `quote_id = ${quoteId}` } }, signal }))).items[0], [quoteId]);
  if (placed.loading) return null;
  if (placed.data)
    return (
      <div class="callout">
        <p>
          The customer accepted this quote: order <a href={`/orders/${placed.data.id}`}>{placed.data.number}</a> is {words(placed.data.status).toLowerCase()}.
        </p>
      </div>
    );
  return (
    <div class="callout">
      <p>The customer accepted this quote.</p>
      <button
        type="button"
        onClick={() => {
          setError(null);
          void ok(api.POST("/api/v1/orders", { body: input<"OrderInput">({ quote_id: quoteId }), headers: idempotent() })).then((o) => navigate(`/orders/${o.id}`), setError);
        }}
      >
        Place the order
      </button>
      <ErrorMessage error={error} />
    </div>
  );
}
