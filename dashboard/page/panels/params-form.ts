import type { JsonSchema } from '../api-client.ts';
import { h } from '../dom.ts';

/** The form control a param's JSON Schema calls for. */
function control(name: string, schema: JsonSchema, value: string, describedBy: string): HTMLElement {
  const options = schema.enum ?? (schema.type === 'boolean' ? [true, false] : null);
  const base = { id: `param-${name}`, name, 'aria-describedby': describedBy };
  if (options) {
    return h(
      'select',
      base,
      h(
        'option',
        { value: '' },
        schema.default !== undefined ? `(default: ${String(schema.default)})` : '(none)',
      ),
      options.map((o) => h('option', { value: String(o), selected: String(o) === value }, String(o))),
    );
  }
  const numeric = schema.type === 'integer' || schema.type === 'number';
  // Text inputs for numbers too: the view, not the browser, says what is wrong with a value.
  return h('input', {
    ...base,
    type: 'text',
    value,
    inputmode: numeric ? 'numeric' : null,
    placeholder:
      schema.default !== undefined ? String(schema.default) : schema.anyOf ? '2026-11-25T09:00:00Z' : '',
    autocomplete: 'off',
  });
}

/**
 * A params form generated from a view's JSON Schema: one labelled control per property (a select for
 * enums and booleans, text otherwise), its description as help, required ones marked; `values`
 * prefills it. Read it back with {@link formValues}; show the API's refusals with {@link showIssues}.
 *
 * @example
 * ```ts
 * import { paramsForm } from './params-form.ts';
 * const form = paramsForm(entry.params, {}, (values) => run(values));
 * ```
 */
export function paramsForm(
  schema: JsonSchema,
  values: Record<string, string>,
  submit: (values: Record<string, string>) => void,
): HTMLFormElement {
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const help = `help-${name}`;
    return h(
      'div',
      { class: 'field', 'data-param': name },
      h(
        'label',
        { for: `param-${name}` },
        name,
        required.has(name) ? h('span', { class: 'req', title: 'required' }, ' *') : null,
      ),
      control(name, property, values[name] ?? '', `${help} issue-${name}`),
      h('small', { id: help, class: 'muted' }, property.description ?? ''),
      h('small', { id: `issue-${name}`, class: 'issue', role: 'alert' }),
    );
  });
  const form = h(
    'form',
    {
      class: 'params',
      novalidate: true,
      onsubmit: (event: Event) => {
        event.preventDefault();
        submit(formValues(form));
      },
    },
    fields.length ? fields : h('p', { class: 'muted' }, 'This view takes no params.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Run view')),
  );
  return form;
}

/** The non-empty values of a params form. */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of new FormData(form))
    if (String(value).trim() !== '') values[name] = String(value).trim();
  return values;
}

/** Marks each param the API refused with its message (and clears the others). */
export function showIssues(form: HTMLFormElement, issues: { field?: string; message: string }[]): void {
  for (const field of form.querySelectorAll<HTMLElement>('.field')) {
    const name = field.dataset.param!;
    const mine = issues.filter((i) => i.field === name || i.field?.startsWith(`${name}.`));
    const input = field.querySelector('input, select')!;
    field.querySelector('.issue')!.textContent = mine.map((i) => i.message).join('; ');
    if (mine.length) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}
