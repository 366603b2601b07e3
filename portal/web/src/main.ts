import { ApiError, session } from './api.js';
import { h } from './dom.js';
import { errorBox, type Ctx } from './ui.js';
import { authView } from './views/auth-view.js';
import { executionView, executionsView } from './views/executions-view.js';
import { functionForm } from './views/function-form.js';
import { functionsView } from './views/functions-view.js';
import { invokeView } from './views/invoke-view.js';

const app = document.getElementById('app') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
let leaving: (() => void)[] = [];

const ctx: Ctx = {
  go(hash) {
    if (location.hash === hash) void render();
    else location.hash = hash;
  },
  onLeave(stop) {
    leaving.push(stop);
  },
};

function renderNav(): void {
  if (!session.token()) return nav.replaceChildren(h('a', { href: 'docs', target: '_blank', rel: 'noopener' }, 'API docs'));
  const logout = h('button', { type: 'button', class: 'link' }, 'Log out');
  logout.addEventListener('click', () => {
    session.end();
    ctx.go('#/login');
  });
  nav.replaceChildren(
    h('a', { href: '#/functions' }, 'Functions'),
    h('a', { href: '#/executions' }, 'Executions'),
    h('a', { href: 'docs', target: '_blank', rel: 'noopener' }, 'API docs'),
    h('span', { class: 'muted user' }, session.username()),
    logout,
  );
}

/** `#/functions/NAME/edit` and the like, to a view. */
async function route(path: string, query: URLSearchParams): Promise<void> {
  const [section, id, action] = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (section === 'functions' && id === 'new') return functionForm(app, ctx);
  if (section === 'functions' && id && action === 'edit') return functionForm(app, ctx, id);
  if (section === 'functions' && id && action === 'invoke') return invokeView(app, ctx, id);
  if (section === 'executions' && id) return executionView(app, ctx, id);
  if (section === 'executions') return executionsView(app, ctx, query.get('function') ?? undefined);
  return functionsView(app, ctx);
}

async function render(): Promise<void> {
  for (const stop of leaving) stop();
  leaving = [];
  const [path = '', search = ''] = location.hash.replace(/^#/, '').split('?');
  renderNav();
  if (!session.token() || path === '/login') return authView(app, ctx);
  try {
    await route(path, new URLSearchParams(search));
  } catch (err) {
    // An expired or revoked token: back to the sign-in form, saying why.
    if (err instanceof ApiError && err.status === 401) {
      session.end();
      authView(app, ctx);
      app.prepend(errorBox(err));
    } else app.replaceChildren(errorBox(err));
  }
}

window.addEventListener('hashchange', () => void render());
void render();
