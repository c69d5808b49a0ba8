import { register } from 'node:module';
import { basename } from 'node:path';
import { loadTracingSettings } from '../infra/config.ts';

/**
 * Loaded before every entry point (`node --import ./main/tracing.ts main/api.ts`, as the npm scripts
 * and Dockerfiles run them). With `OTEL_EXPORTER_OTLP_ENDPOINT` unset it does nothing else. Set, it
 * registers the ESM loader hook the instrumentations need (limited to the modules they patch, so
 * gavel's own modules are loaded untouched) and starts tracing before the application is imported.
 */
const settings = loadTracingSettings();
if (settings) {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: ['http', 'https', 'pg', 'pg-pool', 'ioredis'] } });
  const { startTracing } = await import('../infra/tracing.ts');
  startTracing({ ...settings, serviceName: settings.serviceName ?? `gavel-${basename(process.argv[1] ?? 'gavel', '.ts')}` });
}
