/**
 * The README's curl examples as HTTP requests: every `curl` line (and `VAR=$(curl … | sed -E
 * 's/…/\1/')`) of its ```sh blocks, continuation lines joined, comments and pipes dropped.
 */
export interface CurlRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface CurlStatement {
  readonly text: string;
  /** `NAME=$(curl … | sed -E 's/RE/\1/')`: the variable and the capture that fills it. */
  readonly assign?: { readonly name: string; readonly capture: RegExp };
  readonly curl: string;
}

/** The line up to the first unquoted `stop` character (`#` after a blank: a comment; `|`: a pipe). */
function cutAt(line: string, stop: '#' | '|'): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === stop && (stop === '|' || i === 0 || /\s/.test(line[i - 1] ?? ''))) return line.slice(0, i);
  }
  return line;
}

const ASSIGN = /^([A-Z_][A-Z0-9_]*)=\$\((curl .*?) \| sed -E 's\/(.*)\/\\1\/'\)$/;

export function readmeCurlStatements(markdown: string): CurlStatement[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const lines = blocks.flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n'));
  const out: CurlStatement[] = [];
  for (const raw of lines) {
    const text = cutAt(raw, '#').trim();
    const assign = ASSIGN.exec(text);
    if (assign) out.push({ text, curl: assign[2] ?? '', assign: { name: assign[1] ?? '', capture: new RegExp(assign[3] ?? '') } });
    // `curl … | jq …`: the request is curl's; what the pipe does with the answer is not replayed.
    else if (text.startsWith('curl ')) out.push({ text, curl: cutAt(text, '|').trim() });
  }
  return out;
}

/** `$VAR` and `${VAR}` from the variables the README set before. */
function expand(segment: string, vars: Readonly<Record<string, string>>): string {
  return segment.replace(/\$(?:\{([A-Z_][A-Z0-9_]*)\}|([A-Z_][A-Z0-9_]*))/g, (_m, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    const value = vars[name];
    if (value === undefined) throw new Error(`the README uses $${name} before setting it`);
    return value;
  });
}

const SEGMENT = /\s+|'[^']*'|"(?:\\.|[^"\\])*"|[^\s'"]+/g;

/** Shell words: '…' literal, "…" and bare words with $VAR expanded; adjacent segments join. */
function shellWords(text: string, vars: Readonly<Record<string, string>>): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (const [segment] of text.matchAll(SEGMENT)) {
    if (/^\s/.test(segment)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (segment.startsWith("'")) word = (word ?? '') + segment.slice(1, -1);
    else if (segment.startsWith('"')) word = (word ?? '') + expand(segment.slice(1, -1), vars).replace(/\\(["\\$])/g, '$1');
    else word = (word ?? '') + expand(segment, vars);
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** One curl command as a request; options the README does not use fail loudly. */
export function parseCurl(command: string, vars: Readonly<Record<string, string>>): CurlRequest {
  const [curl, ...args] = shellWords(command, vars);
  if (curl !== 'curl') throw new Error(`not a curl command: ${command}`);
  let method: string | undefined;
  let url: string | undefined;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-s') continue;
    else if (arg === '-X') method = args[++i];
    else if (arg === '-d') body = args[++i];
    else if (arg === '-H') {
      const [name = '', ...value] = (args[++i] ?? '').split(':');
      headers[name.trim().toLowerCase()] = value.join(':').trim();
    } else if (/^https?:\/\//.test(arg)) url = arg;
    else throw new Error(`curl option ${arg} is not understood by the replay: ${command}`);
  }
  if (!url) throw new Error(`no URL in ${command}`);
  return { method: method ?? (body === undefined ? 'GET' : 'POST'), url, headers, ...(body === undefined ? {} : { body }) };
}
