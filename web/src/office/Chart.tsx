import { useId } from 'react';

/**
 * A horizontal bar chart in plain SVG (no chart library: see docs/decisions.md). Bars may be
 * stacked from several series. It is a picture of the table beside it, which is what screen
 * readers and the tests read: the SVG is one image with a short text summary.
 */
export type Series = { key: string; label: string; color: string };
export type Bar = { label: string; values: { [key: string]: unknown } };

const ROW = 26;
const LABEL = 180;
const WIDTH = 560;

export function BarChart({ title, series, bars, max, format = String }: { title: string; series: Series[]; bars: Bar[]; max?: number; format?: (n: number) => string }) {
  const id = useId();
  const value = (b: Bar, key: string) => Number(b.values[key] ?? 0);
  const total = (b: Bar) => series.reduce((n, s) => n + value(b, s.key), 0);
  const top = Math.max(max ?? 0, ...bars.map(total), 1);
  const scale = (WIDTH - LABEL - 70) / top;
  const height = bars.length * ROW + 8;
  return (
    <figure className="chart" aria-labelledby={id}>
      <figcaption id={id}>{title}</figcaption>
      {series.length > 1 && (
        <ul className="legend" aria-hidden="true">
          {series.map((s) => (
            <li key={s.key}>
              <span className="swatch" style={{ background: s.color }} />
              {s.label}
            </li>
          ))}
        </ul>
      )}
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title} preserveAspectRatio="xMinYMin meet">
        {bars.map((b, i) => {
          let x = LABEL;
          const y = i * ROW + 4;
          return (
            <g key={b.label + i}>
              <text x={LABEL - 6} y={y + ROW / 2 + 1} textAnchor="end" dominantBaseline="middle" className="chart-label">
                {b.label.length > 26 ? b.label.slice(0, 25) + '…' : b.label}
              </text>
              {series.map((s) => {
                const w = value(b, s.key) * scale;
                const rect = <rect key={s.key} x={x} y={y + 3} width={Math.max(w, 0)} height={ROW - 8} fill={s.color} />;
                x += w;
                return rect;
              })}
              <text x={x + 4} y={y + ROW / 2 + 1} dominantBaseline="middle" className="chart-value">
                {format(total(b))}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** Colours with 3:1 contrast against white (WCAG non-text contrast). */
export const COLORS = {
  blue: '#0b4f8a',
  green: '#1d6b34',
  amber: '#9a5b00',
  red: '#a3191f',
  grey: '#5b6472',
  purple: '#5b3a8c',
  teal: '#00656b',
};
