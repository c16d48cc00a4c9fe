/**
 * The OpenTelemetry SDK that records and exports spans, loaded by traces.ts only when the
 * settings turn traces on.
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
import type { TraceSettings, Traces } from './traces.ts';

/**
 * Starts exporting spans, once per process: the tracer provider, the context that follows a
 * request through its awaits, and the W3C propagator jobs carry their parent with.
 */
export function startSdk(settings: TraceSettings, log: Logger, role: 'serve' | 'worker'): Traces {
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
