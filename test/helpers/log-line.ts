// Logs one line through the service logger, as `npm start` would (for test/services/log.test.ts).
import { createLogger } from '../../services/log.ts';

createLogger('info').info({ token: 'secret-token-value', cycle: 3 }, 'cycle finished');
