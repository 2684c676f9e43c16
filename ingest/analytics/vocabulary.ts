import type { SqlValue, StorageLike } from '../storage-like.ts';
import type { Json } from '../store/record.ts';
import { verbForms } from '../store/verb-forms.ts';
import { insertVerb } from '../store/write-action.ts';
import { AnalyticsError } from './analytics-error.ts';

/** A thing's data as the `$` hands it to handlers: a JSON object. */
export type JsonObject = { [key: string]: Json };

/**
 * A verb declared once with its forms: the event form (`created`) alone, or the forms that differ from
 * the derived ones. The action is the key (`create`); the reverse is `<event>By`.
 */
export type VerbDeclaration =
  | string
  | { event: string; activity?: string; inverse?: string | null; reverse?: string };

/** The verbs of an object, by their imperative: `{ create: 'created', raise: 'raised' }`. */
export type VerbsConfig = Record<string, VerbDeclaration>;

/** The event form a declaration gives. */
export type EventForm<D> = D extends string ? D : D extends { event: infer E extends string } ? E : never;

/** An action name: `Noun.verb`, e.g. `Startup.create`. */
export type ActionName<N extends string, V extends VerbsConfig> = `${N}.${keyof V & string}`;

/** An event name: `Noun.pastTense`, e.g. `Startup.created`. */
export type EventName<N extends string, V extends VerbsConfig> = {
  [K in keyof V & string]: `${N}.${EventForm<V[K]>}`;
}[keyof V & string];

/** The action an event name comes from: `Startup.created` → `Startup.create`. */
export type ActionOfEvent<N extends string, V extends VerbsConfig, E extends string> = {
  [K in keyof V & string]: E extends `${infer Noun extends N}.${EventForm<V[K]>}` ? `${Noun}.${K}` : never;
}[keyof V & string];

/** A verb's full forms as registered. */
export interface DeclaredVerb {
  action: string;
  activity: string;
  event: string;
  reverse: string;
  inverse: string | null;
}

const NOUN = /^[A-Z][A-Za-z0-9]*$/;
const FORM = /^[a-z][a-zA-Z]*$/;

/** Validates the declared nouns and verbs and gives each verb its full forms. */
export function declareVocabulary(nouns: readonly string[], verbs: VerbsConfig): Map<string, DeclaredVerb> {
  if (!Array.isArray(nouns) || nouns.length === 0)
    throw new AnalyticsError('invalid_config', 'declare at least one noun, e.g. nouns: ["Startup"]', 'nouns');
  for (const noun of nouns) {
    if (typeof noun !== 'string' || !NOUN.test(noun))
      throw new AnalyticsError(
        'invalid_config',
        `noun "${String(noun)}" must be PascalCase, e.g. "Startup"`,
        'nouns',
      );
  }
  const declared = new Map<string, DeclaredVerb>();
  for (const [verb, declaration] of Object.entries(verbs ?? {})) {
    let derived: DeclaredVerb;
    try {
      derived = verbForms(verb);
    } catch (error) {
      throw new AnalyticsError('invalid_config', (error as Error).message, `verbs.${verb}`);
    }
    const given = typeof declaration === 'string' ? { event: declaration } : (declaration ?? {});
    const forms: DeclaredVerb = {
      ...derived,
      ...given,
      reverse: (given as { reverse?: string }).reverse ?? `${given.event ?? derived.event}By`,
    } as DeclaredVerb;
    for (const key of ['event', 'activity', 'reverse'] as const) {
      if (typeof forms[key] !== 'string' || !FORM.test(forms[key]))
        throw new AnalyticsError(
          'invalid_config',
          `${key} form "${String(forms[key])}" must be one lower-case word`,
          `verbs.${verb}`,
        );
    }
    declared.set(verb, forms);
  }
  if (declared.size === 0)
    throw new AnalyticsError(
      'invalid_config',
      'declare at least one verb, e.g. verbs: { create: "created" }',
      'verbs',
    );
  return declared;
}

/**
 * Registers the declared verbs with their forms before the store derives any, so the event names in
 * the lake are the declared ones; a verb stored earlier with other forms is a configuration error.
 */
export function registerVerbs(storage: StorageLike, verbs: Map<string, DeclaredVerb>): void {
  for (const [verb, forms] of verbs) {
    insertVerb(storage, verb, forms);
    const stored = storage.sql
      .exec<{ event: string } & Record<string, SqlValue>>('SELECT event FROM verbs WHERE verb = ?', verb)
      .one();
    if (stored.event !== forms.event) {
      throw new AnalyticsError(
        'invalid_config',
        `verb "${verb}" is stored with event form "${stored.event}", not "${forms.event}": events already in the lake use it`,
        `verbs.${verb}`,
      );
    }
  }
}
