/** A port: something that delivers one SMS. The SNS adapter lives in infra/. */
export interface SmsSender {
  send(phoneNumber: string, message: string): Promise<{ messageId: string }>;
}

/**
 * Thrown by adapters to say whether trying again later can help (throttling, 5xx, a network
 * error) or not (a bad number, an opted-out phone, missing permissions).
 */
export class SmsDeliveryError extends Error {
  readonly retryable: boolean;
  readonly code: string;

  constructor(message: string, code: string, retryable: boolean) {
    super(message);
    this.name = 'SmsDeliveryError';
    this.code = code;
    this.retryable = retryable;
  }
}
