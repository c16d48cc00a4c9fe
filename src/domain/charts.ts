/**
 * Charts as SVG, drawn on the server so the review reads the same in a
 * browser, a mail or a file: each has a title and a description inside it
 * for screen readers, and its figures also come as a table. Every piece of
 * text passes through escapeHtml. Written by hand: two chart shapes in a
 * few dozen lines do not need a plotting library (docs/adr/0020).
 */
import { escapeHtml } from './html.ts';
import type { Bucket, CadencePoint } from './timeline.ts';

interface ChartTable {
  columns: string[];
  rows: (string | number | null)[][];
}

export interface Chart {
  id: 'deliveries' | 'cadence';
  title: string;
  svg: string;
  table: ChartTable;
}

const width = 640;
const pad = { left: 48, right: 16, top: 32, bottom: 36 };

const clock = (iso: string) => iso.slice(11, 19);

function frame(id: string, title: string, desc: string, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="sans-serif" font-size="12">`,
    `<title id="${id}-title">${escapeHtml(title)}</title>`,
    `<desc id="${id}-desc">${escapeHtml(desc)}</desc>`,
    `<text x="${pad.left}" y="20" font-size="14" font-weight="bold">${escapeHtml(title)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}

/** Deliveries sent per bucket of time, as bars. */
export function deliveriesChart(buckets: readonly Bucket[]): Chart {
  const title = 'Deliveries sent over time';
  const height = 220;
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = Math.max(1, ...buckets.map((b) => b.sent));
  const bar = buckets.length === 0 ? 0 : plotW / buckets.length;
  const body: string[] = [
    `<line x1="${pad.left}" y1="${pad.top + plotH}" x2="${pad.left + plotW}" y2="${pad.top + plotH}" stroke="#555"/>`,
    `<text x="${pad.left - 6}" y="${pad.top + 4}" text-anchor="end">${max}</text>`,
    `<text x="${pad.left - 6}" y="${pad.top + plotH}" text-anchor="end">0</text>`,
  ];
  buckets.forEach((b, i) => {
    const h = (b.sent / max) * plotH;
    body.push(
      `<rect x="${(pad.left + i * bar + 1).toFixed(1)}" y="${(pad.top + plotH - h).toFixed(1)}" width="${Math.max(bar - 2, 1).toFixed(1)}" height="${h.toFixed(1)}" fill="#2f6fb0"><title>${escapeHtml(`${clock(b.from)} UTC: ${b.sent} sent`)}</title></rect>`,
    );
  });
  const first = buckets[0];
  const last = buckets.at(-1);
  if (first && last) {
    body.push(`<text x="${pad.left}" y="${height - 12}">${escapeHtml(`${clock(first.from)} UTC`)}</text>`);
    body.push(
      `<text x="${pad.left + plotW}" y="${height - 12}" text-anchor="end">${escapeHtml(`${clock(last.from)} UTC`)}</text>`,
    );
  } else {
    body.push(`<text x="${pad.left}" y="${pad.top + plotH / 2}">No delivery was sent.</text>`);
  }
  const total = buckets.reduce((a, b) => a + b.sent, 0);
  return {
    id: 'deliveries',
    title,
    svg: frame(
      'deliveries',
      title,
      `${total} deliveries sent, counted in ${buckets.length} periods of time.`,
      height,
      body,
    ),
    table: { columns: ['from', 'sent'], rows: buckets.map((b) => [b.from, b.sent]) },
  };
}

/** One row per external audience: its deadlines (ticks) and its publications (dots, filled when on time). */
export function cadenceChart(points: readonly CadencePoint[], start: string, end: string): Chart {
  const title = 'Cadence: each update against its deadline';
  const audiences = [...new Set(points.map((p) => p.audience))];
  const rowH = 40;
  const height = pad.top + pad.bottom + Math.max(1, audiences.length) * rowH;
  const labelW = 100;
  const plotW = width - pad.left - labelW - pad.right;
  const t0 = Date.parse(start);
  const instants = points.flatMap((p) => [p.deadline, p.published_at]).filter((t): t is string => t !== null);
  const t1 = Math.max(Date.parse(end), ...instants.map((t) => Date.parse(t)), t0 + 1);
  const x = (iso: string) => (pad.left + labelW + ((Date.parse(iso) - t0) / (t1 - t0)) * plotW).toFixed(1);
  const body: string[] = [];
  audiences.forEach((audience, i) => {
    const y = pad.top + i * rowH + rowH / 2;
    body.push(`<text x="${pad.left}" y="${y + 4}">${escapeHtml(audience)}</text>`);
    body.push(
      `<line x1="${pad.left + labelW}" y1="${y}" x2="${pad.left + labelW + plotW}" y2="${y}" stroke="#bbb"/>`,
    );
    for (const p of points.filter((q) => q.audience === audience)) {
      if (p.deadline !== null) {
        body.push(
          `<line x1="${x(p.deadline)}" y1="${y - 12}" x2="${x(p.deadline)}" y2="${y + 12}" stroke="#b00" stroke-dasharray="3 2"><title>${escapeHtml(`${audience}: due ${clock(p.deadline)} UTC`)}</title></line>`,
        );
      }
      if (p.published_at !== null) {
        const late = p.on_time === false;
        body.push(
          `<circle cx="${x(p.published_at)}" cy="${y}" r="5" fill="${late ? '#fff' : '#2f6fb0'}" stroke="${late ? '#b00' : '#2f6fb0'}" stroke-width="2"><title>${escapeHtml(`${audience}: published ${clock(p.published_at)} UTC${late ? ', late' : ''}`)}</title></circle>`,
        );
      }
    }
  });
  body.push(`<text x="${pad.left + labelW}" y="${height - 12}">${escapeHtml(`${clock(start)} UTC`)}</text>`);
  body.push(
    `<text x="${pad.left + labelW + plotW}" y="${height - 12}" text-anchor="end">${escapeHtml(`${clock(new Date(t1).toISOString())} UTC`)}</text>`,
  );
  const late = points.filter((p) => p.on_time === false).length;
  return {
    id: 'cadence',
    title,
    svg: frame(
      'cadence',
      title,
      `${points.filter((p) => p.published_at !== null).length} updates to ${audiences.length} audiences; ${late} late.`,
      height,
      body,
    ),
    table: {
      columns: ['audience', 'deadline', 'published_at', 'on_time'],
      rows: points.map((p) => [
        p.audience,
        p.deadline,
        p.published_at,
        p.on_time === null ? null : p.on_time ? 'yes' : 'no',
      ]),
    },
  };
}
