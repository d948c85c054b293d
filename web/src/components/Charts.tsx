// Small hand-drawn SVG charts. Each is an image with a text alternative
// (role="img", a <title> per bar) and the figures also stand beside it as text.

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
