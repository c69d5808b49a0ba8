import type { Infrastructure } from '../infra/infrastructure.ts';

/** What every job handler may use: the infrastructure every gavel process is built from. */
export type WorkerContext = Infrastructure;
