import { api, type Schemas } from './api.ts';
import { session } from './session.ts';

/**
 * The signed-in user's own stream (GET /v1/me/events), one per tab, shared by every page. An
 * EventSource cannot send a token, so each connection redeems a single-use ticket; the browser would
 * reconnect with the spent ticket, so the page reconnects by itself with a new one and the id of the
 * last event it got (`?lastEventId=`), and the server replays what was missed.
 */
type UserEvent = Schemas['UserEvent'];
const listeners = new Set<(event: UserEvent) => void>();
let source: EventSource | null = null;
let lastEventId: string | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let generation = 0;

export function onUserEvent(listener: (event: UserEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Closes the stream (signing out), forgetting where it was. */
export function stopUserStream(): void {
  generation++;
  clearTimeout(retryTimer);
  source?.close();
  source = null;
  lastEventId = null;
}

/** (Re)opens the stream for whoever is signed in now. */
export function startUserStream(): void {
  stopUserStream();
  void connect(generation);
}

async function connect(mine: number): Promise<void> {
  if (!session.current()) return;
  let ticket: string;
  try {
    ticket = (await api('post', '/v1/me/stream-tickets', {})).ticket;
  } catch {
    return retryLater(mine);
  }
  if (mine !== generation) return;
  const query = new URLSearchParams({ ticket });
  if (lastEventId) query.set('lastEventId', lastEventId);
  const opened = new EventSource(`/v1/me/events?${query}`);
  source = opened;
  const deliver = (message: MessageEvent<string>) => {
    if (message.lastEventId) lastEventId = message.lastEventId;
    const event = JSON.parse(message.data) as UserEvent;
    for (const listener of listeners) listener(event);
  };
  opened.addEventListener('notification', deliver);
  opened.addEventListener('message', deliver);
  opened.onerror = () => {
    opened.close();
    retryLater(mine);
  };
}

function retryLater(mine: number): void {
  if (mine !== generation || !session.current()) return;
  retryTimer = setTimeout(() => void connect(mine), 2000);
}
