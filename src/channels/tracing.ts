/**
 * Spans of OpenTelemetry traces (docs/operations.md, traces; docs/adr/0026-traces.md): an update's
 * path from the request through its verb, transaction, outbox job and fan-out to each provider
 * call. It sits at the bottom layer so each layer above marks its own part of that path through
 * the same few calls, and the vendor's API stays in this file.
 *
 * Off unless a process started an exporter (src/cli/traces.ts calls `traceSpans`): until then
 * every helper here is a plain call, costing a flag's read and nothing else.
 */
import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

import type { Channel, SendResult } from './types.ts';

let on = false;

/** Spans are made from now on (the process registered a tracer provider and a propagator). */
export function traceSpans(): void {
  on = true;
}

/** Whether this process makes spans. */
export const tracing = (): boolean => on;

/** Where a span sits in the path: its own work, a request served, a job taken, a provider called. */
type SpanRole = 'internal' | 'server' | 'consumer' | 'client';
const kinds: Record<SpanRole, SpanKind> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  consumer: SpanKind.CONSUMER,
  client: SpanKind.CLIENT,
};

/** A span's parent, opaque to its callers: the active one, or one carried across the outbox. */
export type TraceParent = Context;

/** What a span lets its caller say before it ends. */
export interface SpanHandle {
  set(attributes: Attributes): void;
  /** Marks the span failed, with why (a provider's refusal that is a value, not an exception). */
  fail(reason: string): void;
}

const idle: SpanHandle = { set() {}, fail() {} };

export interface SpanOptions {
  role?: SpanRole;
  attributes?: Attributes;
  /** Its parent; the active span's when absent. */
  parent?: TraceParent | undefined;
  /** Only as part of a trace already under way: with no span active, `fn` runs untraced. */
  within?: boolean;
}

/**
 * Runs `fn` inside a span named `name`, active for everything `fn` awaits; an exception fails the
 * span and goes on. Off, it only calls `fn`.
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: SpanHandle) => Promise<T>,
): Promise<T> {
  if (!on || (options.within && trace.getSpan(context.active()) === undefined)) return fn(idle);
  const spanOptions = { kind: kinds[options.role ?? 'internal'], attributes: options.attributes ?? {} };
  const parent = options.parent ?? context.active();
  return trace.getTracer('crier').startActiveSpan(name, spanOptions, parent, async (span) => {
    const handle: SpanHandle = {
      set: (attributes) => span.setAttributes(attributes),
      fail: (reason) => span.setStatus({ code: SpanStatusCode.ERROR, message: reason }),
    };
    try {
      return await fn(handle);
    } catch (err) {
      span.recordException(err instanceof Error ? err : String(err));
      handle.fail(err instanceof Error ? err.message : String(err));
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The active span, to hand to work that runs later in this process (deliveries a fan-out leased). */
export function activeParent(): TraceParent | undefined {
  return on ? context.active() : undefined;
}

/** The active span as a W3C `traceparent`, for a job row; null when off or outside any span. */
export function traceparentNow(): string | null {
  if (!on) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** The parent a W3C `traceparent` (a job row's, a request's header) names; none when absent or malformed. */
export function parentFrom(traceparent: string | null | undefined): TraceParent | undefined {
  if (!on || !traceparent) return undefined;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/**
 * Makes `parent` the active span for what `next` runs (a request's handler, after its hooks):
 * for a framework whose steps are callbacks rather than one function to wrap.
 */
export function runInside(parent: TraceParent, next: () => void): void {
  context.with(parent, next);
}

/** A span started now and ended later, by a caller that cannot wrap its work in one function. */
export interface OpenSpan {
  readonly context: TraceParent;
  set(attributes: Attributes): void;
  end(failed?: string): void;
}

export function openSpan(name: string, options: SpanOptions): OpenSpan | undefined {
  if (!on) return undefined;
  const parent = options.parent ?? context.active();
  const span = trace
    .getTracer('crier')
    .startSpan(
      name,
      { kind: kinds[options.role ?? 'internal'], attributes: options.attributes ?? {} },
      parent,
    );
  return {
    context: trace.setSpan(parent, span),
    set: (attributes) => span.setAttributes(attributes),
    end(failed) {
      if (failed !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: failed });
      span.end();
    },
  };
}

/** A provider call (an SMTP send, an HTTP post), as a client span; a refusal it returns fails the span. */
export function tracedSend(
  channel: Channel,
  attributes: Attributes,
  parent: TraceParent | undefined,
  send: () => Promise<SendResult>,
): Promise<SendResult> {
  if (!on) return send();
  const all = { 'crier.channel': channel.name, 'crier.channel.type': channel.type, ...attributes };
  return inSpan(`send ${channel.type}`, { role: 'client', attributes: all, parent }, async (span) => {
    const result = await send();
    if (!result.ok) span.fail(result.reason);
    return result;
  });
}
