import type { SmsSender } from '../domain/notifications/sms-sender.ts';
import type { Config } from '../infra/config.ts';
import type { Orm } from '../infra/database.ts';
import type { JobQueues } from '../infra/job-queues.ts';
import type { Logger } from '../infra/logger.ts';

/** What every job handler may use; built once per worker process. */
export interface WorkerContext {
  config: Config;
  orm: Orm;
  jobs: JobQueues;
  sms: SmsSender;
  logger: Logger;
}
