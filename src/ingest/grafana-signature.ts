/**
 * Grafana Alerting's optional HMAC on a webhook contact point: with a secret
 * set, Grafana sends `X-Grafana-Alerting-Signature`, the hex HMAC-SHA256 of
 * the raw body, or of `<timestamp>:<body>` when the contact point also names
 * a timestamp header (`X-Grafana-Alerting-Timestamp`, Unix seconds).
 * `CRIER_INGEST_GRAFANA_SECRETS` (comma-separated, for a rotation) turns the
 * check on: every Grafana request must then carry a signature under one of
 * them, and a timestamped one must be within five minutes of Crier's clock.
 * An ingest key made with its own secret (`--hmac-secret env:NAME`) is
 * checked under that secret alone, whatever the install-wide variable says:
 * each contact point can sign with its own. Without either, Grafana
 * requests are taken on their ingest key alone.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Clock } from '../domain/clock.ts';
import { CrierError } from '../domain/errors.ts';
import { header, type IngestRequest } from './types.ts';

const grafanaSignatureHeader = 'x-grafana-alerting-signature';
const grafanaTimestampHeader = 'x-grafana-alerting-timestamp';
const windowMs = 5 * 60_000;

export interface GrafanaSigning {
  readonly secrets: readonly string[];
  /** A key's own secret was named: with no value for it, every request is refused rather than taken unsigned. */
  readonly required?: string;
  now(): number;
}

const secretsIn = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/**
 * The signing a request with a given key must carry: the key's own secret
 * where it names one (`env:NAME`, read from the environment Crier started
 * with), the install's otherwise.
 */
export function grafanaSigningFor(
  install: GrafanaSigning,
  reference: string | null,
  env: Readonly<Record<string, string | undefined>>,
): GrafanaSigning {
  if (reference === null) return install;
  const variable = reference.replace(/^env:/, '');
  return { secrets: Object.freeze(secretsIn(env[variable])), required: variable, now: install.now };
}

/** The ingest secrets parsers check: PagerDuty's (config) and Grafana's (read here from the environment). */
export function ingestSecrets(config: Config, clock: Clock) {
  const grafana = secretsIn(config.env.CRIER_INGEST_GRAFANA_SECRETS);
  return {
    pagerdutySecrets: config.ingest.pagerdutySecrets,
    grafana: { secrets: Object.freeze(grafana), now: () => clock.now().getTime() } satisfies GrafanaSigning,
  };
}

/** Refuses a Grafana request whose signature does not hold, when secrets are configured. */
export function verifyGrafana(request: IngestRequest, signing: GrafanaSigning): void {
  if (signing.secrets.length === 0 && signing.required !== undefined)
    throw new CrierError(
      'signature_invalid',
      `The key's HMAC secret (${signing.required}) is not set in Crier's environment.`,
    );
  if (signing.secrets.length === 0) return;
  const given = header(request, grafanaSignatureHeader)?.trim().toLowerCase();
  if (!given)
    throw new CrierError('signature_invalid', 'The X-Grafana-Alerting-Signature header is missing.');
  const timestamp = header(request, grafanaTimestampHeader)?.trim();
  if (timestamp !== undefined) {
    const at = Number(timestamp) * 1000;
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(signing.now() - at) > windowMs)
      throw new CrierError(
        'signature_invalid',
        'The X-Grafana-Alerting-Timestamp is not within five minutes of now.',
      );
  }
  const signed =
    timestamp === undefined ? request.body : Buffer.concat([Buffer.from(`${timestamp}:`), request.body]);
  const mine = Buffer.from(given);
  const holds = signing.secrets.some((secret) => {
    const expected = Buffer.from(createHmac('sha256', secret).update(signed).digest('hex'));
    return expected.length === mine.length && timingSafeEqual(expected, mine);
  });
  if (!holds) throw new CrierError('signature_invalid', 'The X-Grafana-Alerting-Signature does not match.');
}
