import type { TestApi } from './api.ts';

/**
 * Puts an in-process SmsSender in place of an app's verification sender (the SmsSender port, as
 * the SNS and log adapters implement it), so a test reads a code the way its phone's owner would:
 * from the SMS. Tests of the SNS adapter itself use test/support/sns.ts instead.
 */
export function captureVerificationSms(app: TestApi) {
  const sent: { phone: string; message: string }[] = [];
  app.deps.phoneVerification.sms = {
    async send(phone, message) {
      sent.push({ phone, message });
      return { messageId: `captured-${sent.length}` };
    },
  };
  return {
    sent,
    codeFor(phone: string): string {
      const message = sent.filter((s) => s.phone === phone).at(-1)?.message ?? '';
      const code = /\b(\d{6})\b/.exec(message)?.[1];
      if (!code) throw new Error(`no code sent to ${phone}`);
      return code;
    },
  };
}
