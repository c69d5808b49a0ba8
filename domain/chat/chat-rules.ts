import { forbidden, invalid } from '../errors.ts';

export const MESSAGE_MAX_CHARS = 1000;

export interface ConversationParties {
  sellerId: string;
  buyerId: string;
}

/** Only the two parties may read or write a conversation; to anyone else it is a 403. */
export function assertParty(conversation: ConversationParties, userId: string): 'seller' | 'buyer' {
  if (conversation.sellerId === userId) return 'seller';
  if (conversation.buyerId === userId) return 'buyer';
  throw forbidden('not-conversation-party', 'Only the seller and the buyer can see this conversation.');
}

export const otherParty = (conversation: ConversationParties, userId: string) =>
  conversation.sellerId === userId ? conversation.buyerId : conversation.sellerId;

// C0/C1 controls other than tab and line feed, and the bidi overrides/isolates that can make a
// message read differently from what it says.
// eslint-disable-next-line no-control-regex -- matching control characters is how this refuses them
const REFUSED = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;

/**
 * A message is plain text, stored and shown as sent: it is never interpreted as HTML anywhere, so
 * `<b>` is just four characters. Line breaks are normalised; surrounding blank space is trimmed.
 */
export function normaliseMessageText(text: string): string {
  const normalised = text.replace(/\r\n?/g, '\n').trim();
  if (!normalised) throw invalid('empty-message', 'A message needs some text.');
  if ([...normalised].length > MESSAGE_MAX_CHARS) throw invalid('message-too-long', `A message has at most ${MESSAGE_MAX_CHARS} characters.`);
  if (REFUSED.test(normalised)) throw invalid('message-control-characters', 'A message cannot contain control or text-direction characters.');
  return normalised;
}
