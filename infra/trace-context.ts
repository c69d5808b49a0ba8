import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type TracerProvider } from '@opentelemetry/api';

/**
 * Trace context across the queue: the producer writes the active span's W3C `traceparent` into
 * the job payload, the worker runs the job in a span continuing it, so a bid and the SMS it causes
 * are one trace. With tracing off (no provider registered) the API is a no-op: no `traceparent`
 * is written, and job spans are never recorded.
 */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

const tracer = () => trace.getTracer('gavel-workers');

export async function inJobSpan<T>(job: { queue: string; name: string; id: string | undefined; traceparent: string | undefined }, work: () => Promise<T>): Promise<T> {
  const parent = job.traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent: job.traceparent }) : ROOT_CONTEXT;
  const attributes = {
    'messaging.system': 'bullmq',
    'messaging.operation.type': 'process',
    'messaging.destination.name': job.queue,
    'messaging.message.id': job.id ?? '',
    'gavel.job.name': job.name,
  };
  return tracer().startActiveSpan(`process ${job.name}`, { kind: SpanKind.CONSUMER, attributes }, parent, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Sends the spans still buffered; a shutting-down process calls it last. Nothing to do with tracing
 * off; a collector that cannot be reached loses those spans, never the clean exit.
 */
export async function flushTraces(): Promise<void> {
  const provider = trace.getTracerProvider() as TracerProvider & { getDelegate?: () => TracerProvider };
  const delegate = (provider.getDelegate?.() ?? provider) as TracerProvider & { forceFlush?: () => Promise<void> };
  await delegate.forceFlush?.().catch(() => undefined);
}
