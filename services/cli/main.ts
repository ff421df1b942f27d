/**
 * The `permanence` executable: the simulator's commands (sim/cli) plus the ones that need the
 * live service's registry (replay, registry gc), which sim/ may not import (test/architecture/import-graph.test.ts).
 */
import { runCli } from '../../sim/cli/program.ts';
import { registerRegistry } from './registry-command.ts';
import { registerReplay } from './replay-command.ts';

await runCli([registerReplay, registerRegistry]);
