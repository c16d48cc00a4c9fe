/**
 * OpenTelemetry traces for `crier serve` and `crier worker`, exported over OTLP/HTTP (JSON) when
 * the standard variables name a collector, off otherwise (docs/operations.md, traces;
 * docs/adr/0026-traces.md). The spans themselves are made where the work is
 * (src/channels/tracing.ts); this starts the SDK that records and exports them.
 */
import { readFileSync } from 'node:fs';
import { context, DiagLogLevel, diag, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import { z } from 'zod';
import { traceSpans } from '../channels/tracing.ts';
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

interface TraceSettings {
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
 * Starts exporting spans, once per process: the tracer provider, the context that follows a
 * request through its awaits, and the W3C propagator jobs carry their parent with. Undefined when
 * the settings leave traces off.
 */
export function startTraces(config: Config, log: Logger, role: 'serve' | 'worker'): Traces | undefined {
  const settings = traceSettings(config);
  if (!settings) return undefined;
  // An export that fails (the collector away) is worth a warning, never a stop.
  const warn = (message: string) => log.warn({ traces: settings.url }, `traces: ${message}`);
  const quiet = () => {};
  diag.setLogger({ error: warn, warn, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
  const { version } = z
    .object({ version: z.string() })
    .parse(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')));
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': settings.serviceName,
      'service.version': version,
      'crier.process': role,
    }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: settings.url }) })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  traceSpans();
  log.info({ traces: settings.url, service: settings.serviceName }, 'exporting traces');
  return {
    url: settings.url,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
