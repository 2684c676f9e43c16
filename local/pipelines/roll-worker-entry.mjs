// The roll worker's entry: loads the TypeScript sources through tsx (as cli/bin.mjs does), then serves
// rolls for the stand-in on the port it was given.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runRollWorker } = await import('./roll-worker.ts');
runRollWorker(workerData);
