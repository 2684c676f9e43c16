import { setPriority } from 'node:os';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { PipelineSqlError } from '../../sql/pipelines/index.ts';
import type { ResolvedPipelinesConfig } from './pipelines-config.ts';
import type { RollJob, RollReply, RollWorkerThread, WorkerError } from './roll-worker.ts';

/** The stand-in's side of the roll worker. */
export interface RollWorkerClient {
  /** Queues a job; `done` is called with the reply (from the event loop, or inside {@link waitOne}). */
  submit(job: Omit<RollJob, 'id' | 'kind'>, done: (reply: RollReply) => void): void;
  /** Blocks until at least one reply has been handled (for the synchronous roll and close). */
  waitOne(): void;
  /** Blocks until the worker has built its sinks; throws what building them threw. */
  ready(): void;
  /** Stops the worker after the jobs queued before. */
  close(): void;
}

/** Turns an error from the worker back into the error it was (a PipelineSqlError stays one). */
export function fromWorkerError(error: WorkerError): Error {
  const fields = (error.fields ?? {}) as Record<string, unknown>;
  if (error.name === 'PipelineSqlError') {
    return new PipelineSqlError({
      code: fields.code as PipelineSqlError['code'],
      pipeline: String(fields.pipeline),
      construct: String(fields.construct),
      position: fields.position as PipelineSqlError['position'],
      message: error.message,
    });
  }
  const copy = new Error(error.message);
  copy.name = error.name;
  return Object.assign(copy, fields);
}

/**
 * The worker's entry: `roll-worker-entry.mjs` beside this file (the sources, through tsx), or the file
 * `DOTDO_ROLL_WORKER_ENTRY` names, a prebuilt bundle of that same entry (the node tests build one per
 * run: loading it takes a third of the time loading every source file through tsx does).
 */
function workerEntry(): URL {
  const bundle = process.env.DOTDO_ROLL_WORKER_ENTRY;
  return bundle ? pathToFileURL(bundle) : new URL('./roll-worker-entry.mjs', import.meta.url);
}

/**
 * Starts the roll worker (local/pipelines/roll-worker.ts) for a stand-in. Replies are handled on the
 * event loop; a caller that must block (a synchronous `roll()`) sleeps on a shared counter the worker
 * bumps after each reply and takes the replies off the port itself. A worker that died is started
 * again for the next job; the jobs it held fail (their segments stay in the log).
 *
 * @example
 * ```ts
 * import { pipelinesConfig } from './pipelines-config.ts';
 * import { createRollWorkerClient } from './roll-worker-client.ts';
 * const worker = createRollWorkerClient(pipelinesConfig.parse({ dataDir: '.data' }), '.data/r2/lake');
 * worker.ready();
 * worker.close();
 * ```
 */
export function createRollWorkerClient(
  config: ResolvedPipelinesConfig,
  bucketDir: string,
  timeoutMs = 300_000,
): RollWorkerClient {
  let nextId = 1;
  let current: ReturnType<typeof spawn>;

  function spawn() {
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const callbacks = new Map<number, (reply: RollReply) => void>();
    let startError: Error | null = null;
    let started = false;
    let dead: Error | null = null;
    let thread: RollWorkerThread | undefined;
    callbacks.set(0, (reply) => {
      started = true;
      if (!reply.ok) startError = fromWorkerError(reply.error);
      else thread = reply.thread;
    });
    const worker = new Worker(workerEntry(), {
      execArgv: [],
      workerData: { config, bucketDir, port: port2, flag: flag.buffer },
      transferList: [port2],
    });
    worker.unref();
    const dispatch = (reply: RollReply) => {
      const done = callbacks.get(reply.id);
      callbacks.delete(reply.id);
      done?.(reply);
    };
    port1.on('message', dispatch);
    port1.unref();
    const fail = (cause: Error) => {
      if (dead) return;
      dead = cause;
      for (const [id, done] of [...callbacks]) {
        callbacks.delete(id);
        done({
          id,
          ok: false,
          error: { name: cause.name, message: `roll worker stopped: ${cause.message}` },
        });
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    const drain = (): boolean => {
      let any = false;
      for (let message = receiveMessageOnPort(port1); message; message = receiveMessageOnPort(port1)) {
        dispatch(message.message as RollReply);
        any = true;
      }
      return any;
    };
    return {
      worker,
      port: port1,
      callbacks,
      flag,
      drain,
      isDead: () => dead,
      started: () => started,
      thread: () => thread,
      startError: () => startError,
    };
  }
  current = spawn();

  // While the event loop is blocked on a roll, nothing is waiting for it but the roll: the worker gets
  // the process's priority back (where raising it is allowed), lest other load on the machine starve it.
  function prioritize(which: 'base' | 'lowered'): void {
    const thread = current.thread();
    if (thread === undefined || current.isDead() || thread.base === thread.lowered) return;
    try {
      setPriority(thread.id, thread[which]);
    } catch {}
  }

  function waitOne(): void {
    prioritize('base');
    try {
      waitForReply();
    } finally {
      prioritize('lowered');
    }
  }

  function waitForReply(): void {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(current.flag, 0);
      if (current.drain()) return;
      if (current.isDead()) return;
      if (current.callbacks.size === 0) throw new Error('waited on the roll worker with nothing queued');
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(current.flag, 0, seen, left) === 'timed-out')
        throw new Error(`the roll worker did not answer within ${timeoutMs} ms`);
    }
  }

  return {
    submit(job, done) {
      if (current.isDead()) current = spawn();
      const id = nextId++;
      current.callbacks.set(id, done);
      current.port.postMessage({ ...job, id, kind: 'roll' } satisfies RollJob);
    },
    waitOne,
    ready() {
      while (!current.started() && !current.isDead()) waitOne();
      const error = current.startError() ?? current.isDead();
      if (error) throw error;
    },
    close() {
      if (current.isDead()) return;
      const id = nextId++;
      let closed = false;
      current.callbacks.set(id, () => {
        closed = true;
      });
      current.port.postMessage({ id, kind: 'close' });
      try {
        while (!closed && !current.isDead()) waitOne();
      } finally {
        current.port.close();
        void current.worker.terminate();
      }
    },
  };
}
