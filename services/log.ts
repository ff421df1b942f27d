/**
 * The service's pino logger; secrets are redacted wherever they might appear. On a terminal
 * the lines are pretty-printed (pino-pretty: local time, level, message); anywhere else (a
 * pipe, a file, docker logs) they stay one JSON object per line, for log shippers.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** Pretty lines instead of JSON; default: when no destination is given and stdout is a TTY. */
  pretty?: boolean;
}

export function createLogger(
  level: string,
  destination?: DestinationStream,
  options: LoggerOptions = {},
): Logger {
  const prettyLines = options.pretty ?? (destination === undefined && process.stdout.isTTY === true);
  const stream = prettyLines
    ? pretty({
        destination: destination ?? 1,
        colorize: destination === undefined && process.stdout.isTTY === true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service',
        sync: true,
      })
    : destination;
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
    stream,
  );
}
