import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Paths redacted in every log line, so a careless `log.info({ body })` cannot leak them. */
const REDACTED = [
  'password',
  '*.password',
  'phone',
  '*.phone',
  'refreshToken',
  '*.refreshToken',
  'accessToken',
  '*.accessToken',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

/** JSON logs on stdout (or `destination`). Secrets and personal data are redacted by path. */
export function createLogger(level: string, base: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'gavel', ...base },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED, censor: '[redacted]' },
    },
    destination,
  );
}
