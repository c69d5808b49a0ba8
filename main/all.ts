import type { Server } from 'node:http';
import { availableParallelism } from 'node:os';
import { closeAppDeps, createAppDeps } from '../api/app-deps.ts';
import { serveApi } from '../api/serve.ts';
import { listen } from '../api/server.ts';
import { exitWithFirstProcess, forkApiProcesses, isForkedApiProcess } from '../infra/api-cluster.ts';
import { loadConfig } from '../infra/config.ts';
import { prepareDatabase } from '../infra/database.ts';
import { closeInfrastructure, createInfrastructure } from '../infra/infrastructure.ts';
import { createLogger } from '../infra/logger.ts';
import { onShutdown, runMain } from '../infra/process.ts';
import { refreshScrapeGauges } from '../infra/scrape-gauges.ts';
import { startMetricsServer } from '../workers/metrics-server.ts';
import { startWorkers } from '../workers/start-workers.ts';

/**
 * `npm start`: the whole service on one machine. Creates the database if missing and migrates,
 * runs the workers, and serves the API from `API_PROCESSES` processes (default: one per core)
 * forked from this one; with one, the API runs in this process beside the workers (so /metrics
 * shows both).
 */
await runMain(async () => {
  const config = loadConfig();
  if (isForkedApiProcess()) {
    // Ctrl-C reaches every process of the group; the first process tells its API processes when
    // to stop, after its own drain has begun, so each drains once.
    process.on('SIGINT', () => undefined);
    const logger = createLogger(config.logLevel, { process: 'api', pid: process.pid });
    exitWithFirstProcess(logger);
    return serveApi(config, logger, ['SIGTERM']);
  }
  const logger = createLogger(config.logLevel);
  const { applied } = await prepareDatabase(config.databaseUrl, logger);
  if (applied.length) logger.info({ applied }, 'migrations applied');

  const infra = await createInfrastructure(config, { logger, process: 'all' });
  const workers = await startWorkers({ ...infra, logger: logger.child({ process: 'worker' }) }, { lockDurationMs: config.workers.jobLockMs });
  const apiProcesses = config.apiProcesses ?? availableParallelism();
  if (apiProcesses <= 1) {
    const deps = createAppDeps(infra);
    const api = await listen(deps);
    logger.info({ port: api.port }, 'api and workers running');
    onShutdown(logger, async () => {
      await api.close();
      await workers.close();
      await closeAppDeps(deps);
      await closeInfrastructure(infra);
    });
    return;
  }
  const apis = forkApiProcesses(apiProcesses, logger);
  let metricsServer: Server | null = null;
  // Before the API processes listen: a signal meanwhile must still stop them all.
  onShutdown(logger, async () => {
    metricsServer?.close();
    await apis.close();
    await workers.close();
    await closeInfrastructure(infra);
  });
  metricsServer = config.workers.metricsPort ? await startMetricsServer(infra.metrics, config.workers.metricsPort, config.metricsToken, () => refreshScrapeGauges(infra)) : null;
  await apis.listening;
  logger.info({ port: config.port, apiProcesses }, 'api and workers running');
});
