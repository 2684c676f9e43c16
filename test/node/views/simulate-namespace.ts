/**
 * One Durable Object's history as its store writes it: a DO-wide version counter (the local things
 * rowid), per-branch version chains (a branch reads main as of its base until its first write), an
 * action counter, the gapless seq and the hash chain. Only the event rows are produced; things and
 * actions follow from them (deriveGlobalRows), as in the lake.
 *
 * @module
 */
import { encodeEventRow } from '../../../ingest/store/event-row.ts';
import { verbForms } from '../../../ingest/store/verb-forms.ts';
import { canonicalJson } from '../../../lake/chain/index.ts';
import { EVENTS_SCHEMA_VERSION, type EventRow } from '../../../schemas/index.ts';
import { type Json, makeData, NOUNS, type Noun, pickVerb, slugOf } from './workload-data.ts';

/** What the generator knows of a thing on one branch: its current version and state. */
interface ThingState {
  noun: Noun;
  version: number;
  data: Record<string, Json> | null;
  name: string | null;
  deleted: boolean;
}

/** What an event wrote: the thing, its version before, and its new state (none for a failure). */
interface Written {
  target: string;
  noun: Noun;
  next: ThingState | null;
  previous: number | null;
  branch: string | null;
}

/** A branch of the object: main reads at or below `base` until the branch writes its own version. */
interface BranchState {
  name: string;
  /** The thing states main had when the branch was forked (what reads fall back to). */
  base: Map<string, ThingState>;
  own: Map<string, ThingState>;
}

/** Everything one namespace's simulation needs from the caller. */
export interface NamespacePlan {
  ns: string;
  incarnation: string;
  /** Event times, ascending, µs since the epoch: one event per entry. */
  times: number[];
  /** Person things of other namespaces, for actors that cross DOs. */
  foreignPeople: string[];
  /** External users (not things). */
  users: string[];
  random: () => number;
}

// The same dozen verbs recur in every event: their forms are derived once.
const FORMS = new Map<string, ReturnType<typeof verbForms>>();
const formsOf = (verb: string) => FORMS.get(verb) ?? FORMS.set(verb, verbForms(verb)).get(verb)!;

const BRANCH_NAMES = ['experiment', 'pricing-v2', 'q4-plan'];
const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** A namespace's state while its history is generated. */
interface Sim {
  plan: NamespacePlan;
  nouns: Noun[];
  main: Map<string, ThingState>;
  /** Targets alive on main, for picking. */
  live: string[];
  people: string[];
  branches: BranchState[];
  version: number;
  action: number;
  counter: number;
  prevHash: string | null;
  rows: EventRow[];
}

/** Runs a namespace's history and answers its event rows in seq order, hash-chained. */
export function simulateNamespace(plan: NamespacePlan): EventRow[] {
  const { random } = plan;
  const nouns = ['Person', ...NOUNS.filter((n) => n !== 'Person' && random() < 0.7)] as Noun[];
  if (nouns.length === 1) nouns.push('Order');
  const forkAt = random() < 0.35 ? [0.3 + random() * 0.4] : [];
  if (forkAt.length && random() < 0.4) forkAt.push(forkAt[0]! + 0.1 + random() * 0.15);
  const sim: Sim = {
    plan,
    nouns,
    main: new Map(),
    live: [],
    people: [],
    branches: [],
    version: 0,
    action: 0,
    counter: 0,
    prevHash: null,
    rows: [],
  };
  plan.times.forEach((ts, i) => {
    const { branches } = sim;
    if (forkAt.length > branches.length && i / plan.times.length >= forkAt[branches.length]!) {
      branches.push({ name: BRANCH_NAMES[branches.length]!, base: new Map(sim.main), own: new Map() });
    }
    step(sim, ts, i);
  });
  return sim.rows;
}

/** One event: a Person first, then writes on a branch now and then, creates, and changes. */
function step(sim: Sim, ts: number, i: number) {
  const { random } = sim.plan;
  const { live } = sim;
  if (i < 4 || sim.people.length === 0) return create(sim, ts, 'Person', null);
  if (sim.branches.length > 0 && random() < 0.12) {
    const branch = pick(random, sim.branches);
    if (random() < 0.2) return create(sim, ts, pick(random, sim.nouns), branch);
    return change(sim, ts, pick(random, [...branch.own.keys(), ...live.slice(0, 50)]), branch);
  }
  if (live.length < 8 || random() < 0.22) return create(sim, ts, pick(random, sim.nouns), null);
  // Recent things change more often than old ones.
  const index = Math.floor(live.length * (1 - random() ** 2));
  change(sim, ts, live[Math.min(index, live.length - 1)]!, null);
}

function pickActor(sim: Sim): string | null {
  const { random, foreignPeople, users } = sim.plan;
  const r = random();
  if (r < 0.2) return null;
  if (r < 0.6 && sim.people.length > 0) return pick(random, sim.people);
  if (r < 0.7 && foreignPeople.length > 0) return pick(random, foreignPeople);
  return pick(random, users);
}

const dataContext = (sim: Sim, verb?: string) => ({
  people: sim.people,
  foreign: sim.plan.foreignPeople,
  ns: sim.plan.ns,
  ...(verb ? { verb } : {}),
});

function create(sim: Sim, ts: number, noun: Noun, branch: BranchState | null): void {
  const n = ++sim.counter;
  const target = `${sim.plan.ns}/${noun.toLowerCase()}s/${slugOf(noun, n)}`;
  const data = makeData(noun, n, null, sim.plan.random, dataContext(sim));
  const state: ThingState = { noun, version: ++sim.version, data, name: String(data.name), deleted: false };
  if (branch) branch.own.set(target, state);
  else {
    sim.main.set(target, state);
    sim.live.push(target);
    if (noun === 'Person') sim.people.push(target);
  }
  emit(sim, ts, { target, noun, next: state, previous: null, branch: branch?.name ?? null }, 'create');
}

function change(sim: Sim, ts: number, target: string, branch: BranchState | null) {
  const { random } = sim.plan;
  const current = branch ? (branch.own.get(target) ?? branch.base.get(target)) : sim.main.get(target);
  if (!current || current.deleted) return create(sim, ts, pick(random, sim.nouns), branch);
  const verb = random() < 0.06 ? 'delete' : pickVerb(current.noun, random);
  const written = { target, noun: current.noun, previous: current.version, branch: branch?.name ?? null };
  if (verb !== 'delete' && random() < 0.09) {
    const message = pick(random, ['timeout', 'card declined', 'conflict', 'quota']);
    return emit(sim, ts, { ...written, next: null }, verb, { name: 'Error', message });
  }
  let next: ThingState;
  if (verb === 'delete') next = { ...current, version: ++sim.version, data: null, name: null, deleted: true };
  else {
    const data = makeData(current.noun, sim.counter, current.data, random, dataContext(sim, verb));
    next = { ...current, version: ++sim.version, data, name: String(data.name) };
  }
  if (branch) branch.own.set(target, next);
  else {
    sim.main.set(target, next);
    if (next.deleted) sim.live.splice(sim.live.indexOf(target), 1);
  }
  emit(sim, ts, { ...written, next }, verb);
}

/**
 * One event row, hashed by the store's own encoder (encodeEventRow, as the DO seals each event); the
 * row object is built beside it in schema order (verifyChain recomputing every hash checks they agree).
 */
function emit(sim: Sim, ts: number, thing: Written, verb: string, failure?: Json): void {
  const { ns, incarnation, random } = sim.plan;
  const forms = formsOf(verb);
  const seq = sim.rows.length + 1;
  const t = timing(seq, ts, random);
  const actor = pickActor(sim);
  const actionId = ++sim.action;
  const output = thing.next?.version ?? null;
  const data = thing.next?.data ?? null;
  const status = failure === undefined ? 'completed' : 'failed';
  const name = output === null ? null : (thing.next?.name ?? null);
  const deleted = output !== null && thing.next?.deleted === true;
  const { hash } = encodeEventRow({
    durability: t.durability,
    requestId: t.requestId,
    sessionId: t.sessionId,
    workflowId: t.workflowId,
    correlationId: t.correlationId,
    startedAt: t.startedAt,
    completedAt: t.completedAt,
    ns,
    incarnation,
    seq,
    prevHash: sim.prevHash,
    ts,
    noun: thing.noun,
    action: forms.action,
    past: forms.event,
    target: thing.target,
    actor,
    status,
    branch: thing.branch,
    input: thing.previous,
    output,
    actionId,
    name,
    deleted,
    data: data === null ? null : canonicalJson(data),
    error: failure === undefined ? null : canonicalJson(failure),
  });
  sim.rows.push({
    schema_version: EVENTS_SCHEMA_VERSION,
    id: `${ns}/events/${incarnation}/${seq}`,
    ns,
    incarnation,
    seq,
    ts,
    event: `${thing.noun}.${forms.event}`,
    verb: forms.event,
    action: forms.action,
    type: `${ns}/${thing.noun}`,
    target: thing.target,
    actor,
    durability: t.durability,
    status,
    branch: thing.branch,
    input_version: thing.previous === null ? null : `${thing.target}@v${thing.previous}`,
    output_version: output === null ? null : `${thing.target}@v${output}`,
    data,
    error: failure ?? null,
    request_id: t.requestId,
    session_id: t.sessionId,
    workflow_id: t.workflowId,
    correlation_id: t.correlationId,
    started_at: t.startedAt,
    completed_at: t.completedAt,
    duration_ms: t.startedAt === null || t.completedAt === null ? null : (t.completedAt - t.startedAt) / 1000,
    prev_hash: sim.prevHash,
    hash,
    action_id: `${ns}/actions/${incarnation}/${actionId}`,
    name,
    deleted: deleted ? true : null,
  });
  sim.prevHash = hash;
}

/** The part of an event the action's context gives: durability, correlation ids and timing. */
function timing(seq: number, ts: number, random: () => number) {
  const r = random();
  const durability: EventRow['durability'] = r < 0.15 ? 'send' : r < 0.75 ? 'try' : 'do';
  const timed = random() < 0.7;
  // Durations in whole µs, as the DO measures them: durable actions take longer.
  const micros = Math.round((durability === 'do' ? 5_000 : 300) * Math.exp(random() * 5));
  return {
    durability,
    requestId: random() < 0.6 ? `req-${seq.toString(36)}-${Math.floor(random() * 1e9).toString(36)}` : null,
    sessionId: random() < 0.3 ? `sess-${Math.floor(random() * 500)}` : null,
    workflowId: durability === 'do' && random() < 0.5 ? `wf-${Math.floor(random() * 2000)}` : null,
    correlationId: random() < 0.1 ? `corr-${Math.floor(random() * 100)}` : null,
    startedAt: timed ? ts - micros : null,
    completedAt: timed ? ts : null,
  };
}
