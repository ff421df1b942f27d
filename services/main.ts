/**
 * `npm start`: validates the environment, serves the API and dashboard, runs the loop.
 * SIGTERM/SIGINT stop the cron, let a registry write in flight finish, and exit 0.
 */
import { speedPath } from '../sim/backend/speed-path.ts';
import { ConfigError, loadConfig } from './config.ts';
import { listeningLine } from './listening-line.ts';
import { createLogger } from './log.ts';
import { startService } from './service.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL);
  const service = await startService(config, { log });
  // Printed once, to the terminal only: the token never goes through the logger.
  process.stdout.write(
    [
      '',
      listeningLine(service.url),
      `  dashboard  ${service.url}/`,
      `  API state  ${service.url}/api/state`,
      `  metrics    ${service.url}/metrics`,
      service.tokenGenerated
        ? `  admin token (generated, set ADMIN_TOKEN to fix it): ${service.adminToken}`
        : '  admin token: from ADMIN_TOKEN',
      '',
    ].join('\n') + '\n',
  );
  log.info({ url: service.url, registry: config.REGISTRY, cron: config.cycleCron }, 'listening');
  service.backend
    .then((info) => {
      const speed = speedPath(info);
      process.stdout.write(`  training   ${speed.summary}\n${speed.hint ? `  ${speed.hint}\n` : ''}`);
    })
    .catch(() => undefined); // start-up failures are logged by the service

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    service
      .close()
      .then(() => process.exit(0))
      .catch((err: Error) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
