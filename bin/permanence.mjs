#!/usr/bin/env node
// Help and --version come from the precompiled bundle when it is fresh (bin/cli-fast-path.mjs);
// everything else runs the TypeScript CLI through tsx, so a clone works without a build step.
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { asksForHelp, freshBundle } from './cli-fast-path.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = asksForHelp(process.argv.slice(2)) ? freshBundle(root) : undefined;
if (bundle) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../services/cli/main.ts');
}
