/** The service's pino logger; secrets are redacted wherever they might appear. */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'permanence' },
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          'authorization',
          'token',
          'adminToken',
          'config.ADMIN_TOKEN',
          'config.ALERT_WEBHOOK_TOKEN',
          'config.S3_SECRET_KEY',
          'config.S3_ACCESS_KEY',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
