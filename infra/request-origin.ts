import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request (or job) a piece of work runs for, carried by the async context rather than by every
 * signature, so the follow-ups a use case declares reach the workers tagged with the request that
 * caused them and their log lines join up.
 */
const origin = new AsyncLocalStorage<{ requestId: string | undefined }>();

export const runWithRequestId = <T>(requestId: string | undefined, work: () => T): T => origin.run({ requestId }, work);

export const currentRequestId = (): string | undefined => origin.getStore()?.requestId;
