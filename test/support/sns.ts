import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for AWS SNS as the SDK talks to it: form-encoded `Action=Publish` requests answered
 * with the query protocol's XML. `SnsScript` decides the answers (per phone number, in order) and
 * records every request; nock uses it in-process, `startSnsRecorder` serves it to child processes.
 */
export interface PublishRequest {
  action: string | null;
  phoneNumber: string | null;
  message: string | null;
  /** MessageAttributes by name (e.g. `AWS.SNS.SMS.SMSType`), string values only. */
  attributes: Record<string, string | null>;
  /** What this stand-in answered. */
  reply: SnsReply;
  /** The MessageId given when the reply was a success. */
  messageId: string | null;
  at: number;
}

export interface SnsReply {
  status: number;
  body: string;
}

export function parsePublish(body: string): Omit<PublishRequest, 'reply' | 'messageId' | 'at'> {
  const form = new URLSearchParams(body);
  const attributes: Record<string, string | null> = {};
  for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
    attributes[form.get(`MessageAttributes.entry.${i}.Name`)!] = form.get(`MessageAttributes.entry.${i}.Value.StringValue`);
  }
  return { action: form.get('Action'), phoneNumber: form.get('PhoneNumber'), message: form.get('Message'), attributes };
}

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

export const publishOk = (messageId: string): SnsReply => ({
  status: 200,
  body: `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>req-${messageId}</RequestId></ResponseMetadata></PublishResponse>`,
});

/** An SNS error as AWS sends it, e.g. `snsError(400, 'Throttling', 'Rate exceeded')`. */
export const snsError = (status: number, code: string, message: string): SnsReply => ({
  status,
  body: `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-error</RequestId></ErrorResponse>`,
});

export class SnsScript {
  readonly requests: PublishRequest[] = [];
  /** Requests taken and never answered (see `hold`), in order. */
  readonly held: Omit<PublishRequest, 'reply' | 'messageId'>[] = [];
  readonly #planned = new Map<string, SnsReply[]>();
  readonly #holds = new Map<string, number>();
  #ids = 0;

  /**
   * The next `count` requests to this number are taken and never answered, as by an SNS that has
   * the message in hand when the worker dies (only `startSnsRecorder` serves this).
   */
  hold(phoneNumber: string, count = 1): void {
    this.#holds.set(phoneNumber, (this.#holds.get(phoneNumber) ?? 0) + count);
  }

  /** Whether to leave this request unanswered; if so it is recorded in `held`, not `requests`. */
  takeHeld(body: string): boolean {
    const parsed = parsePublish(body);
    const left = this.#holds.get(parsed.phoneNumber ?? '') ?? 0;
    if (!left) return false;
    this.#holds.set(parsed.phoneNumber!, left - 1);
    this.held.push({ ...parsed, at: Date.now() });
    return true;
  }

  /** The next answers for one phone number; after them, every request succeeds. */
  plan(phoneNumber: string, ...replies: SnsReply[]): void {
    this.#planned.set(phoneNumber, [...(this.#planned.get(phoneNumber) ?? []), ...replies]);
  }

  handle(body: string): SnsReply {
    const parsed = parsePublish(body);
    const planned = this.#planned.get(parsed.phoneNumber ?? '')?.shift();
    const messageId = planned ? null : `msg-${process.pid}-${++this.#ids}`;
    const reply = planned ?? publishOk(messageId!);
    this.requests.push({ ...parsed, reply, messageId, at: Date.now() });
    return reply;
  }

  to(phoneNumber: string): PublishRequest[] {
    return this.requests.filter((r) => r.phoneNumber === phoneNumber);
  }

  delivered(): PublishRequest[] {
    return this.requests.filter((r) => r.reply.status === 200);
  }
}

export interface SnsRecorder {
  /** For SNS_ENDPOINT. */
  url: string;
  script: SnsScript;
  close(): Promise<void>;
}

/** SNS on 127.0.0.1 for worker processes, which nock cannot reach. */
export async function startSnsRecorder(script = new SnsScript()): Promise<SnsRecorder> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // A held request is never answered; its connection ends with the server.
      if (req.method === 'POST' && script.takeHeld(Buffer.concat(chunks).toString('utf8'))) return;
      const reply = req.method === 'POST' ? script.handle(Buffer.concat(chunks).toString('utf8')) : snsError(405, 'InvalidAction', 'POST only');
      res.writeHead(reply.status, { 'content-type': 'text/xml' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
