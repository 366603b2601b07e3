import { api, session } from '../api.js';
import { field, formValue, h } from '../dom.js';
import { guarded, type Ctx } from '../ui.js';

/** Log in, or register and log in. */
export function authView(root: HTMLElement, ctx: Ctx): void {
  const errors = h('div', {});
  const login = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const register = h('button', { type: 'button' }, 'Register');
  const form = h(
    'form',
    { class: 'card narrow' },
    h('h1', {}, 'Sign in'),
    field('Username', h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none' })),
    field('Password', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    errors,
    h('div', { class: 'actions' }, login, register),
    h('p', { class: 'muted' }, 'New here? Choose a username (3-32 letters, digits, _ or -) and a password of 8 characters or more, then Register.'),
  );
  const credentials = () => ({ username: formValue(form, 'username'), password: formValue(form, 'password') });
  const signIn = async (): Promise<void> => {
    const { token } = await api<{ token: string }>('POST', '/auth/login', credentials());
    session.start(token, credentials().username);
    ctx.go('#/functions');
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void guarded(errors, login, signIn);
  });
  register.addEventListener('click', () => {
    void guarded(errors, register, async () => {
      await api('POST', '/auth/register', credentials());
      await signIn();
    });
  });
  root.replaceChildren(form);
}
