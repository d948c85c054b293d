// Small hand-drawn SVG charts. Each is an image with a text alternative
// (role="img", a <title> per bar) and the figures also stand beside it as text.

import { useEffect, useRef } from "preact/hooks";
import { formatCount, magnitude, formatMoney } from "../lib/money";
import { stageLabel } from "../lib/domain";

export function StageBars({ data }: { data: { stage: string; count: number }[] }) {
  const max = Math.max(1, ...data.map((d) => d.count));
  const rowH = 22;
  const labelW = 170;
  const barW = 220;
  const h = data.length * rowH + 4;
  const summary = data.map((d) => `${stageLabel(d.stage)}: ${formatCount(d.count)}`).join(", ");
  // Room right of the longest bar for its figure ("1,234,567").
  const valueW = 8 * formatCount(max).length + 12;
  return (
    <svg class="chart" viewBox={`0 0 ${labelW + barW + valueW} ${h}`} role="img" aria-label={`Open projects by stage. ${summary || "None"}`}>
      {data.map((d, i) => {
        const w = Math.round((d.count / max) * barW);
        const y = i * rowH + 2;
        return (
          <g key={d.stage}>
            <title>{`${stageLabel(d.stage)}: ${formatCount(d.count)}`}</title>
            <text x={labelW - 6} y={y + 14} text-anchor="end" class="chart-label">
              {stageLabel(d.stage)}
            </text>
            <rect x={labelW} y={y + 3} width={Math.max(w, 1)} height={rowH - 8} class="bar" rx="2" />
            <text x={labelW + w + 6} y={y + 14} class="chart-value">
              {formatCount(d.count)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function PipelineBars({ data }: { data: { currency_code: string; mrr: string; weighted_pipeline: string }[] }) {
  // Bar lengths compare amounts of one currency only (never across currencies).
  const rowH = 46;
  const barW = 260;
  const h = data.length * rowH + 4;
  const summary = data
    .map((d) => `${d.currency_code}: MRR ${formatMoney(d.mrr, d.currency_code)}, weighted pipeline ${formatMoney(d.weighted_pipeline, d.currency_code)}`)
    .join("; ");
  return (
    <svg class="chart" viewBox={`0 0 ${barW + 200} ${h}`} role="img" aria-label={`Pipeline per currency. ${summary || "None"}`}>
      {data.map((d, i) => {
        const max = Math.max(magnitude(d.mrr), magnitude(d.weighted_pipeline), 1e-9);
        const y = i * rowH + 2;
        const w1 = Math.round((magnitude(d.mrr) / max) * barW);
        const w2 = Math.round((magnitude(d.weighted_pipeline) / max) * barW);
        return (
          <g key={d.currency_code}>
            <title>{`${d.currency_code}: MRR ${formatMoney(d.mrr, d.currency_code)}, weighted ${formatMoney(d.weighted_pipeline, d.currency_code)}`}</title>
            <rect x="0" y={y} width={Math.max(w1, 1)} height="16" class="bar" rx="2" />
            <text x={w1 + 6} y={y + 13} class="chart-value">
              MRR {formatMoney(d.mrr, d.currency_code)}
            </text>
            <rect x="0" y={y + 20} width={Math.max(w2, 1)} height="16" class="bar alt" rx="2" />
            <text x={w2 + 6} y={y + 33} class="chart-value">
              Weighted {formatMoney(d.weighted_pipeline, d.currency_code)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/**
 * A chart the report service drew, placed inline so its role="img", label
 * and per-figure titles reach assistive technology. The document is parsed
 * as SVG and kept to drawing only (no script, no foreign content, no event
 * handlers, no links out), whatever the server sent.
 */
export function ServerChart({ svg }: { svg: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = ref.current;
    if (!host) return;
    const el = safeSvg(svg);
    host.replaceChildren(...(el ? [document.importNode(el, true)] : []));
  }, [svg]);
  return <div class="server-chart" ref={ref} />;
}

function safeSvg(text: string): SVGSVGElement | null {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const root = doc.documentElement;
  if (root.nodeName !== "svg" || doc.getElementsByTagName("parsererror").length) return null;
  for (const bad of Array.from(root.querySelectorAll("script, foreignObject, iframe, a, use, image"))) bad.remove();
  for (const el of [root, ...Array.from(root.querySelectorAll("*"))]) {
    for (const a of Array.from(el.attributes)) {
      if (/^on/i.test(a.name) || /href$/i.test(a.name) || a.name === "style") el.removeAttribute(a.name);
    }
  }
  return root as unknown as SVGSVGElement;
}
