import type { SmsSender } from '../domain/notifications/sms-sender.ts';
import type { ImageProcessor } from '../domain/photos/image-processor.ts';
import type { ObjectStore } from '../domain/photos/object-store.ts';
import { createAuctionEventBus, type AuctionEventBus } from '../infra/auction-event-bus.ts';
import type { Config } from '../infra/config.ts';
import type { Orm } from '../infra/database.ts';
import { createJobQueues, type JobQueues } from '../infra/job-queues.ts';
import type { Logger } from '../infra/logger.ts';
import { createMetrics, type Metrics } from '../infra/metrics.ts';
import { createRedis } from '../infra/redis.ts';
import { createObjectStore } from '../infra/object-store.ts';
import { createSharpImageProcessor } from '../infra/sharp-image-processor.ts';
import { createLogSmsSender } from '../infra/log-sms-sender.ts';
import { createSnsSmsSender } from '../infra/sns-sms-sender.ts';

/** What every job handler may use; built once per worker process. */
export interface WorkerContext {
  config: Config;
  orm: Orm;
  jobs: JobQueues;
  sms: SmsSender;
  /** Publishes the events of auctions the workers close. */
  events: AuctionEventBus;
  logger: Logger;
  metrics: Metrics;
  objects: ObjectStore;
  images: ImageProcessor;
}

/** The wiring of a worker process (or of the workers inside `npm start`). */
export function createWorkerContext(
  config: Config,
  logger: Logger,
  orm: Orm,
  metrics: Metrics = createMetrics({ process: 'worker' }),
): WorkerContext & { close(): Promise<void> } {
  const redis = createRedis(config.redisUrl, 'commands');
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  const jobs = createJobQueues(config.redisUrl, config.redisKeyPrefix, { onError: (error) => logger.warn({ err: error }, 'job queue connection error') });
  return {
    config,
    orm,
    jobs,
    logger,
    sms: config.sms.sender === 'log' ? createLogSmsSender(logger) : createSnsSmsSender(config.sms),
    events: createAuctionEventBus(redis, config.redisKeyPrefix),
    metrics,
    objects: createObjectStore(config),
    images: createSharpImageProcessor(config.photos.images),
    async close() {
      await jobs.close();
      redis.disconnect();
    },
  };
}
