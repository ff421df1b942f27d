// The simulator's commands alone; bin/permanence.mjs runs services/cli/main.ts, which adds the
// commands that read the live service's registry (replay).
import { runCli } from './program.ts';

await runCli();
