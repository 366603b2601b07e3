// The client of bin/e2e-multinode.sh's loads, as the README asks a client to be: a 5xx or a
// refused connection is retried (250 ms apart, on the next node's edge) for up to 60 s, and a
// request with no answer in 90 s once more after that; a 429 waits as Retry-After says. `counts`
// gathers fiveXx (by status), refused, hung, retried, gaveUp, throttled, and fiveXxSeen: what the
// first 5xx answers were (route, edge, time taken, the error's code and message).
export const pause = (ms) => new Promise((r) => setTimeout(r, ms));

const SEEN_MAX = 20;
// An execution id in a path becomes :id, so answers of one route read alike.
const routeOf = (path) => path.replace(/\/[0-9a-f]{8}-[0-9a-f-]{27}/g, '/:id');

export function edgeClient({ edges, token, counts }) {
  counts.fiveXxSeen ??= [];
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const downUntil = new Map();
  let turn = 0;
  function nextEdge() {
    for (let k = 0; k < edges.length; k++) {
      const base = edges[turn++ % edges.length];
      if ((downUntil.get(base) ?? 0) < Date.now()) return base;
    }
    return edges[turn++ % edges.length];
  }
  return async function call(method, path, body) {
    const deadline = Date.now() + 60_000;
    for (let tries = 0; ; tries++) {
      const base = nextEdge();
      const began = Date.now();
      let answered = false;
      try {
        const res = await fetch(base + path, { method, headers, body: body && JSON.stringify(body), signal: AbortSignal.timeout(90_000) });
        const json = await res.json().catch(() => ({}));
        answered = true;
        if (res.status === 429) {
          counts.throttled++;
          await pause(1000 * Number(res.headers.get('retry-after') ?? 1));
        } else if (res.status < 500) {
          return { status: res.status, json, tries };
        } else {
          counts.fiveXx[res.status] = (counts.fiveXx[res.status] ?? 0) + 1;
          if (counts.fiveXxSeen.length < SEEN_MAX) {
            const { code, message } = json.error ?? {};
            counts.fiveXxSeen.push(`${method} ${routeOf(path)} ${res.status} via edge ${edges.indexOf(base) + 1} after ${Date.now() - began} ms: ${code ?? '-'} ${message ?? '(no JSON error)'}`);
          }
        }
      } catch (err) {
        // No answer in 90 s: the node vanished with the request on it (SIGKILL sends no FIN).
        if (err?.name === 'TimeoutError') counts.hung = (counts.hung ?? 0) + 1;
        else counts.refused++;
        // A node that does not answer is skipped for 5 s (its connect times out slowly).
        downUntil.set(base, Date.now() + 5000);
      }
      // The 60 s bound when a retry may start: an attempt begun within it that got no answer at
      // all (its node died under it) is tried once more on another node, as any client whose
      // request timed out would; it was not a retry the platform refused.
      if (Date.now() > deadline && (answered || began > deadline)) {
        counts.gaveUp++;
        return { status: 0, json: {}, tries };
      }
      counts.retried++;
      await pause(250);
    }
  };
}
