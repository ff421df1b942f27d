#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so a clone works without a build step.
import { register } from 'tsx/esm/api';

register();
// `permanence registry ...` maintains the live service's registry: the service's code, kept
// out of the simulator's CLI (sim/ never imports services/).
if (process.argv[2] === 'registry') await import('../services/registry/cli.ts');
else await import('../sim/cli/main.ts');
