import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SmsDeliveryError, type SmsSender } from '../domain/notifications/sms-sender.ts';

const RETRYABLE_CODES = new Set(['Throttling', 'ThrottlingException', 'ThrottledException', 'InternalError', 'InternalErrorException', 'KMSThrottlingException', 'ServiceUnavailable']);

interface AwsError {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/** Sorts an SDK error into "try again later" and "never will work". */
export function classifySnsError(error: unknown): SmsDeliveryError {
  const aws = error as AwsError;
  const status = aws.$metadata?.httpStatusCode;
  const code = aws.name ?? 'UnknownError';
  const retryable =
    RETRYABLE_CODES.has(code) || aws.$retryable !== undefined || aws.$fault === 'server' || (status !== undefined && status >= 500) || status === 429 ||
    status === undefined; // no HTTP answer at all: a network failure
  return new SmsDeliveryError(aws.message ?? String(error), code, retryable);
}

/**
 * SMS through AWS SNS: a transactional message published to the phone number. The SDK's own
 * retries are off (maxAttempts 1) so that one policy, the job queue's backoff, governs retries
 * and every attempt is visible in Bull Board. Requests time out (the SDK's default is never), so
 * an SNS that stops answering fails the attempt, to be retried, instead of holding the job and its
 * worker slot forever and stalling a graceful shutdown.
 */
export function createSnsSmsSender(options: { region: string; endpoint?: string | undefined; requestTimeoutMs?: number }): SmsSender {
  const client = new SNSClient({
    region: options.region,
    endpoint: options.endpoint,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: options.requestTimeoutMs ?? 10_000, throwOnRequestTimeout: true },
  });
  return {
    async send(phoneNumber, message) {
      try {
        const output = await client.send(
          new PublishCommand({
            PhoneNumber: phoneNumber,
            Message: message,
            MessageAttributes: {
              'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
              'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'gavel' },
            },
          }),
        );
        return { messageId: output.MessageId ?? 'unknown' };
      } catch (error) {
        throw classifySnsError(error);
      }
    },
  };
}
