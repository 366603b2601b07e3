import { api, enc, type FunctionDefinition } from '../api.js';
import { field, formValue, h } from '../dom.js';
import { errorBox, guarded, type Ctx } from '../ui.js';

const envText = (env: Record<string, string>): string =>
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');

/** KEY=VALUE lines; the registry checks the keys and says what is wrong. */
function envFrom(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf('=');
    env[at < 0 ? line : line.slice(0, at)] = at < 0 ? '' : line.slice(at + 1);
  }
  return env;
}

const checkbox = (name: string, checked: boolean | undefined) => h('input', { name, type: 'checkbox', checked: checked === true });
const isChecked = (form: HTMLFormElement, name: string): boolean => (form.elements.namedItem(name) as HTMLInputElement | null)?.checked === true;

const numberInput = (name: string, value: number | undefined, step: string) =>
  h('input', { name, type: 'number', step, inputmode: 'decimal', value: value === undefined ? undefined : String(value) });

/** Create a function, or edit one (a revision-checked PUT). */
export async function functionForm(root: HTMLElement, ctx: Ctx, name?: string): Promise<void> {
  const errors = h('div', {});
  let current: FunctionDefinition | undefined;
  if (name) {
    try {
      current = await api<FunctionDefinition>('GET', `/registry/functions/${enc(name)}`);
    } catch (err) {
      root.replaceChildren(errorBox(err));
      return;
    }
  }
  const save = h('button', { type: 'submit', class: 'primary' }, current ? 'Save' : 'Create');
  const form = h(
    'form',
    { class: 'card' },
    h('h1', {}, current ? `Edit ${current.name}` : 'New function'),
    field('Name', h('input', { name: 'name', required: true, value: current?.name, readonly: Boolean(current), autocapitalize: 'none' })),
    field('Image', h('input', { name: 'image', required: true, value: current?.image, placeholder: 'faas-example/wordcount:latest', autocapitalize: 'none' })),
    field('Description', h('input', { name: 'description', value: current?.description })),
    h(
      'div',
      { class: 'grid' },
      field('Timeout (s)', numberInput('timeoutSeconds', current?.timeoutSeconds, '1')),
      field('Memory (MiB)', numberInput('memoryMb', current?.memoryMb, '1')),
      field('CPUs', numberInput('cpus', current?.cpus, '0.01')),
    ),
    field('Environment', h('textarea', { name: 'env', rows: 3, placeholder: 'KEY=value' }, envText(current?.env ?? {})), 'one KEY=value per line'),
    h(
      'div',
      { class: 'grid' },
      field('HTTP function', checkbox('http', current?.http), 'answers requests at its own URL'),
      field('Public', checkbox('public', current?.public), 'an HTTP function anyone may call, without a token'),
    ),
    errors,
    h('div', { class: 'actions' }, save, h('a', { class: 'button', href: '#/functions' }, 'Cancel')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const spec: Record<string, unknown> = { image: formValue(form, 'image'), description: formValue(form, 'description'), env: envFrom(formValue(form, 'env')) };
    for (const key of ['timeoutSeconds', 'memoryMb', 'cpus']) {
      const value = formValue(form, key);
      if (value !== '') spec[key] = Number(value);
    }
    if (isChecked(form, 'http')) spec.http = true;
    if (isChecked(form, 'http') && isChecked(form, 'public')) spec.public = true;
    void guarded(errors, save, async () => {
      if (current) await api('PUT', `/registry/functions/${enc(current.name)}`, { ...spec, revision: current.revision });
      else await api('POST', '/registry/functions', { name: formValue(form, 'name'), ...spec });
      ctx.go('#/functions');
    });
  });
  root.replaceChildren(form);
}
