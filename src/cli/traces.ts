/**
 * OpenTelemetry traces for `crier serve` and `crier worker`, exported over OTLP/HTTP (JSON) when
 * the standard variables name a collector, off otherwise (docs/operations.md, traces;
 * docs/adr/0026-traces.md). The spans themselves are made where the work is
 * (src/channels/tracing.ts); this starts the SDK that records and exports them.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { type Config, ConfigError } from '../config.ts';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** The standard variables Crier reads (the exporter reads its own: headers, timeout, certificates). */
const TraceEnv = z.object({
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false'),
  OTEL_TRACES_EXPORTER: z
    .enum(['otlp', 'none'], { error: 'must be otlp or none: Crier exports traces over OTLP only' })
    .default('otlp'),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z
    .literal('http/json', { error: 'must be http/json: Crier sends OTLP over HTTP as JSON' })
    .optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z
    .literal('http/json', { error: 'must be http/json: Crier sends OTLP over HTTP as JSON' })
    .optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('crier'),
});

export interface TraceSettings {
  /** Where spans are posted: the traces endpoint as given, or the base endpoint's `/v1/traces`. */
  readonly url: string;
  readonly serviceName: string;
}

/** The settings from the environment read at start; undefined when traces are off. Throws ConfigError. */
export function traceSettings(config: Config): TraceSettings | undefined {
  const parsed = TraceEnv.safeParse(config.env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  if (e.OTEL_SDK_DISABLED === 'true' || e.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const base = e.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const url = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base && `${base}/v1/traces`);
  return url ? { url, serviceName: e.OTEL_SERVICE_NAME } : undefined;
}

export interface Traces {
  readonly url: string;
  /** Exports the spans ended so far (a test reads them at once). */
  flush(): Promise<void>;
  /** Exports what is left and stops. */
  shutdown(): Promise<void>;
}

/**
 * Starts exporting spans, once per process (traces-sdk.ts); undefined when the settings leave
 * traces off. The SDK is loaded only then: a process that exports nothing does not hold it
 * (docs/performance.md, "Scaling out").
 */
export async function startTraces(
  config: Config,
  log: Logger,
  role: 'serve' | 'worker',
): Promise<Traces | undefined> {
  const settings = traceSettings(config);
  if (!settings) return undefined;
  const { startSdk } = await import('./traces-sdk.ts');
  return startSdk(settings, log, role);
}
