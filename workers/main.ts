import { loadConfig } from '../infra/config.ts';
import { createOrm } from '../infra/database.ts';
import { createJobQueues } from '../infra/job-queues.ts';
import { createLogger } from '../infra/logger.ts';
import { onShutdown, runMain } from '../infra/process.ts';
import { createSnsSmsSender } from '../infra/sns-sms-sender.ts';
import { startWorkers } from './start-workers.ts';

/** `npm run start:worker`: one worker process; run as many as the load needs. */
await runMain(async () => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, { process: 'worker' });
  const orm = await createOrm(config.databaseUrl, { poolMax: config.databasePoolMax, logger });
  const jobs = createJobQueues(config.redisUrl, config.redisKeyPrefix);
  const ctx = { config, orm, jobs, logger, sms: createSnsSmsSender(config.sms) };
  const workers = await startWorkers(ctx, { lockDurationMs: config.workers.jobLockMs });
  logger.info('workers started');
  onShutdown(logger, async () => {
    await workers.close();
    await jobs.close();
    await orm.close();
  });
});
