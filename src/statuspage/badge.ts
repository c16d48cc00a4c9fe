/** A status badge in SVG, for READMEs and dashboards: "status | operational". */
import { type ComponentStatus, componentStatusLabels, type Indicator } from '../domain/components.ts';
import { escapeHtml } from '../domain/html.ts';

const indicatorColors: Record<Indicator, string> = {
  none: '#15803d',
  minor: '#a16207',
  major: '#c2410c',
  critical: '#b91c1c',
  maintenance: '#1d4ed8',
};

const statusIndicator: Record<ComponentStatus, Indicator> = {
  operational: 'none',
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
  under_maintenance: 'maintenance',
};

const indicatorText: Record<Indicator, string> = {
  none: 'operational',
  minor: 'minor outage',
  major: 'partial outage',
  critical: 'major outage',
  maintenance: 'maintenance',
};

/** Rough width of text in 11px Verdana, enough for a badge. */
function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += /[A-Z]/.test(ch) ? 7.5 : /[ il.,:;']/.test(ch) ? 3.5 : 6.6;
  return Math.ceil(w);
}

function badge(label: string, message: string, color: string): string {
  const shortLabel = [...label].slice(0, 40).join('');
  const lw = textWidth(shortLabel) + 12;
  const mw = textWidth(message) + 12;
  const l = escapeHtml(shortLabel);
  const m = escapeHtml(message);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + mw}" height="20" role="img" aria-label="${l}: ${m}"><title>${l}: ${m}</title><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${color}"/><g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle"><text x="${lw / 2}" y="14">${l}</text><text x="${lw + mw / 2}" y="14">${m}</text></g></svg>`;
}

export function overallBadge(label: string, indicator: Indicator): string {
  return badge(label, indicatorText[indicator], indicatorColors[indicator]);
}

export function componentBadge(name: string, status: ComponentStatus): string {
  return badge(name, componentStatusLabels[status].toLowerCase(), indicatorColors[statusIndicator[status]]);
}
