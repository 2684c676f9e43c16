/** The forms a verb takes: action `create`, activity `creating`, event `created`, reverse `createdBy`. */
export interface VerbForms {
  action: string;
  activity: string;
  event: string;
  reverse: string;
  inverse: string | null;
}

const IRREGULAR_PAST: Record<string, string> = {
  send: 'sent',
  make: 'made',
  buy: 'bought',
  sell: 'sold',
  pay: 'paid',
  build: 'built',
  write: 'written',
  run: 'ran',
  find: 'found',
  give: 'given',
  take: 'taken',
  get: 'got',
  hold: 'held',
  lead: 'led',
  begin: 'begun',
  set: 'set',
  put: 'put',
  read: 'read',
};

const INVERSES: Record<string, string> = {
  create: 'delete',
  add: 'remove',
  open: 'close',
  start: 'stop',
  enable: 'disable',
  publish: 'unpublish',
  archive: 'unarchive',
  assign: 'unassign',
  follow: 'unfollow',
  lock: 'unlock',
};

const VOWEL = /[aeiou]/;
/** Short consonant-vowel-consonant verbs double their last letter: stop → stopped, plan → planning. */
const doublesFinal = (verb: string): boolean =>
  /^[^aeiou]*[aeiou][bdgklmnprt]$/.test(verb) && verb.length <= 4 && !verb.endsWith('w');

function past(verb: string): string {
  const irregular = IRREGULAR_PAST[verb];
  if (irregular) return irregular;
  if (verb.endsWith('e')) return `${verb}d`;
  if (/[^aeiou]y$/.test(verb)) return `${verb.slice(0, -1)}ied`;
  if (doublesFinal(verb)) return `${verb}${verb.at(-1)}ed`;
  return `${verb}ed`;
}

function progressive(verb: string): string {
  if (verb.endsWith('ie')) return `${verb.slice(0, -2)}ying`;
  if (verb.endsWith('e') && !verb.endsWith('ee') && verb.length > 2) return `${verb.slice(0, -1)}ing`;
  if (doublesFinal(verb)) return `${verb}${verb.at(-1)}ing`;
  return `${verb}ing`;
}

function inverseOf(verb: string): string | null {
  const direct = INVERSES[verb];
  if (direct) return direct;
  for (const [a, b] of Object.entries(INVERSES)) if (b === verb) return a;
  return null;
}

/**
 * Derives the verb forms from the imperative.
 *
 * @example
 * ```ts
 * import { verbForms } from './verb-forms.ts';
 * verbForms('create'); // { action: 'create', activity: 'creating', event: 'created', reverse: 'createdBy', inverse: 'delete' }
 * ```
 */
export function verbForms(action: string): VerbForms {
  if (!/^[a-z][a-zA-Z]*$/.test(action) || !VOWEL.test(action)) {
    throw new Error(`verb "${action}" must be one lower-case imperative word, e.g. "create"`);
  }
  const event = past(action);
  return { action, activity: progressive(action), event, reverse: `${event}By`, inverse: inverseOf(action) };
}
