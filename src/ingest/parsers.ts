/** One parser per source: adding a source is its module, one line here, its test and its docs. */
import type { IngestSource } from '../domain/alerts.ts';
import { parseAlertmanager } from './alertmanager.ts';
import { parseCloudwatch } from './cloudwatch.ts';
import { parseGeneric } from './generic.ts';
import { parseGrafana } from './grafana.ts';
import { parsePagerduty } from './pagerduty.ts';
import type { IngestParser } from './types.ts';

export const parsers: Record<IngestSource, IngestParser> = {
  alertmanager: parseAlertmanager,
  grafana: parseGrafana,
  cloudwatch: parseCloudwatch,
  pagerduty: parsePagerduty,
  generic: parseGeneric,
};
