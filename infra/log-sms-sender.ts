import { randomUUID } from 'node:crypto';
import type { SmsSender } from '../domain/notifications/sms-sender.ts';
import type { Logger } from './logger.ts';

export const maskPhone = (phone: string) => `${phone.slice(0, 3)}${'*'.repeat(Math.max(0, phone.length - 7))}${phone.slice(-4)}`;

/** For development without an AWS account (SMS_SENDER=log): the text goes to the log instead. */
export function createLogSmsSender(logger: Logger): SmsSender {
  return {
    async send(phoneNumber, message) {
      const messageId = `logged-${randomUUID()}`;
      logger.info({ to: maskPhone(phoneNumber), text: message, messageId }, 'SMS (not sent: SMS_SENDER=log)');
      return { messageId };
    },
  };
}
