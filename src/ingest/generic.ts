/**
 * Any JSON body, read through the plan's `ingest.generic` mapping: dotted
 * paths to the title, status, fingerprint, labels and the rest, optionally
 * inside a list of alerts. Without a fingerprint path, the title and labels
 * identify an alert, so the same alert sent twice is recognised.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type Alert, instantOrNull } from '../domain/alerts.ts';
import { CrierError } from '../domain/errors.ts';
import type { GenericMapping } from '../plan/schema.ts';
import { linkOrNull, parseJsonBody, parseValue, StringMap } from './json.ts';
import type { IngestParser } from './types.ts';

function at(value: unknown, path: string | undefined): unknown {
  if (path === undefined) return undefined;
  let here: unknown = value;
  for (const key of path.split('.')) {
    if (here === null || typeof here !== 'object' || !Object.hasOwn(here, key)) return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

const Scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

function text(value: unknown, path: string, required: true): string;
function text(value: unknown, path: string | undefined, required?: false): string | null;
function text(value: unknown, path: string | undefined, required = false): string | null {
  const found = at(value, path);
  if (found === undefined || found === null) {
    if (required)
      throw new CrierError('validation_failed', `The body has no value at "${path}".`, [
        { path, message: 'missing' },
      ]);
    return null;
  }
  return parseValue(found, Scalar, `a text value at "${path}"`).slice(0, 4000);
}

function map(value: unknown, path: string | undefined): Record<string, string> {
  const found = at(value, path);
  if (found === undefined || found === null) return {};
  return parseValue(found, StringMap, `an object of text values at "${path}"`);
}

function fingerprintOf(title: string, labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  return createHash('sha256')
    .update(JSON.stringify([title, sorted]))
    .digest('hex')
    .slice(0, 32);
}

function mapAlert(item: unknown, mapping: GenericMapping): Alert {
  const title = text(item, mapping.title, true);
  const labels = map(item, mapping.labels);
  const status = text(item, mapping.status);
  const resolved =
    status !== null && mapping.resolved_values.some((v) => v.toLowerCase() === status.toLowerCase());
  return {
    source: 'generic',
    fingerprint: text(item, mapping.fingerprint)?.slice(0, 200) || fingerprintOf(title, labels),
    status: resolved ? 'resolved' : 'firing',
    title,
    severity: text(item, mapping.severity),
    labels,
    annotations: map(item, mapping.annotations),
    startsAt: instantOrNull(text(item, mapping.starts_at)),
    endsAt: instantOrNull(text(item, mapping.ends_at)),
    link: linkOrNull(text(item, mapping.link)),
  };
}

export const parseGeneric: IngestParser = async (request, deps) => {
  const mapping = await deps.genericMapping();
  if (!mapping) {
    throw new CrierError(
      'validation_failed',
      'The plan has no ingest.generic mapping, so a generic payload cannot be read (docs/ingest.md).',
    );
  }
  const body = parseJsonBody(request.body, z.unknown(), 'JSON');
  if (mapping.alerts === undefined) return { kind: 'alerts', alerts: [mapAlert(body, mapping)] };
  const list = parseValue(
    at(body, mapping.alerts),
    z.array(z.unknown()).max(10_000),
    `a list of alerts at "${mapping.alerts}"`,
  );
  return { kind: 'alerts', alerts: list.map((item) => mapAlert(item, mapping)) };
};
