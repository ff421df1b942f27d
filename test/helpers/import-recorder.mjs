// A module-resolution hook (node --import) that appends every resolved module URL to the
// file named by RECORD_IMPORTS, so a test can see what a command loaded.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs';
const file = ${JSON.stringify(process.env.RECORD_IMPORTS ?? '')};
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (file) appendFileSync(file, result.url + '\\n');
  return result;
}`)}`,
);
