// Worker threads don't inherit the main thread's module hooks, so a TypeScript worker
// starts here: register tsx in this thread, then load the real entry.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
