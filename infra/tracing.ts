import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingSettings } from './config.ts';

/** Probes and scrapes every few seconds would drown the traces worth reading. */
const UNTRACED_PATHS = /^\/(health\/|metrics$)/;

/**
 * The process-wide tracer provider (W3C trace context, AsyncLocalStorage context), exporting OTLP
 * over HTTP, with spans for incoming and outgoing HTTP, PostgreSQL queries and Redis commands. Only
 * `main/tracing.ts` calls it, before the application's modules are loaded; `exporter` is for tests.
 */
export function startTracing(settings: TracingSettings & { serviceName: string }, exporter?: SpanExporter): NodeTracerProvider {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter ?? new OTLPTraceExporter({ url: `${settings.endpoint}/v1/traces` }))],
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.test(req.url ?? '') }),
      // A query's text is in its span; its parameters (phone numbers, password hashes) never are.
      // Queries and commands outside a request or job (the relay's and schedule keeper's timers,
      // BullMQ's own polling) would each be a trace of one span: only those inside one are kept.
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  return provider;
}
