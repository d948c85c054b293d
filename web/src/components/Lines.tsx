// What a quote and an order show alike: the line table (amounts as the
// server priced them, right-aligned), the MRR and one-time totals, the
// status path, and a postal address as lines.

import type { ComponentChildren } from "preact";
import { formatMoney } from "../lib/money";
import { words } from "./ui";

type Money = { amount: string; currency_code: string } | undefined;

export interface LineRow {
  id: string;
  sku: string;
  product_name: string;
  quantity: number;
  unit_price: Money;
  discount_percent: string;
  billing: string;
  net_amount: Money;
}

export const money = (m: Money, currency: string) => formatMoney(m?.amount, m?.currency_code || currency);

/** A decimal typed into a line's cell; sent when it changes (the server checks it). */
export function CellInput({ label, value, numeric, onValue }: { label: string; value: string | number; numeric?: boolean; onValue: (v: string) => void }) {
  return (
    <input
      type={numeric ? "number" : "text"}
      inputMode={numeric ? undefined : "decimal"}
      min={numeric ? 1 : undefined}
      max={numeric ? 1000000 : undefined}
      class="qty"
      aria-label={label}
      value={value}
      onChange={(e) => onValue(e.currentTarget.value)}
    />
  );
}

/**
 * The lines of a quote or an order. `quantity` and `discount` replace a
 * cell's plain text (an input where the reader may change it); `remove`
 * adds a last column.
 */
export function LineTable<L extends LineRow>({
  caption,
  lines,
  currency,
  quantity,
  discount,
  remove,
}: {
  caption: string;
  lines: L[];
  currency: string;
  quantity?: (l: L) => ComponentChildren;
  discount?: (l: L) => ComponentChildren;
  remove?: (l: L) => ComponentChildren;
}) {
  return (
    <div class="table-wrap">
      <table class="lines">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">SKU</th>
            <th scope="col">Product</th>
            <th scope="col" class="num">
              Quantity
            </th>
            <th scope="col" class="num">
              Unit price
            </th>
            <th scope="col" class="num">
              Discount
            </th>
            <th scope="col">Billing</th>
            <th scope="col" class="num">
              Net
            </th>
            {remove && <th scope="col">Remove</th>}
          </tr>
        </thead>
        <tbody>
          {lines.map((l) => (
            <tr key={l.id}>
              <td>{l.sku}</td>
              <th scope="row">{l.product_name}</th>
              <td class="num">{quantity ? quantity(l) : l.quantity}</td>
              <td class="num">{money(l.unit_price, currency)}</td>
              <td class="num">{discount ? discount(l) : `${l.discount_percent} %`}</td>
              <td>{l.billing === "monthly" ? "Monthly" : "One-time"}</td>
              <td class="num">{money(l.net_amount, currency)}</td>
              {remove && <td>{remove(l)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Totals({ mrr, oneTime, currency, testid }: { mrr: Money; oneTime: Money; currency: string; testid: string }) {
  return (
    <dl class="totals">
      <div>
        <dt>MRR</dt>
        <dd data-testid={`${testid}-mrr`}>{money(mrr, currency)}</dd>
      </div>
      <div>
        <dt>One-time total</dt>
        <dd data-testid={`${testid}-one-time`}>{money(oneTime, currency)}</dd>
      </div>
    </dl>
  );
}

/**
 * The main path with where the record stands; an ending off the path
 * (rejected, cancelled) is shown only once reached. Where it may go next is
 * the server's (`moves`), not this.
 */
export function StatusPath<S extends string>({ label, path, endings, status }: { label: string; path: S[]; endings: S[]; status: S }) {
  const on = path.includes(status);
  return (
    <nav class="path" aria-label={label}>
      <ol>
        {[...path, ...endings.filter((s) => s === status)].map((s) => (
          <li key={s} class={s === status ? "current" : on && path.indexOf(s) < path.indexOf(status) ? "done" : undefined} aria-current={s === status ? "step" : undefined}>
            {words(s)}
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** The moves the server offers, one button each. */
export function Moves<S extends string>({ moves, label, secondary, onMove }: { moves: S[]; label: (to: S) => string; secondary: S[]; onMove: (to: S) => void }) {
  if (moves.length === 0) return null;
  return (
    <div class="actions" role="group" aria-label="Status">
      {moves.map((to) => (
        <button key={to} type="button" class={secondary.includes(to) ? "secondary" : undefined} onClick={() => onMove(to)}>
          {label(to)}
        </button>
      ))}
    </div>
  );
}

type Address = { street: string; postal_code: string; city: string; region: string; country: string };

export function AddressLines({ address, none, testid }: { address: Address; none: string; testid?: string }) {
  const lines = [address.street, [address.postal_code, address.city].filter(Boolean).join(" "), address.region, address.country].filter(Boolean);
  return <address data-testid={testid}>{lines.length ? lines.map((l) => <div key={l}>{l}</div>) : <span class="hint">{none}</span>}</address>;
}
