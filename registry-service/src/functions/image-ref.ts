/**
 * Docker image references, after the grammar of distribution/reference:
 *   [host[:port]/]path-component[/path-component...][:tag][@algorithm:hex]
 * The first component is a registry host only when it has a `.` or `:` or is `localhost`, as
 * Docker decides; otherwise it is a path component, and path components are lowercase.
 */
export const MAX_IMAGE_LENGTH = 255;

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[_.]|__|-+)';
const PATH_COMPONENT = new RegExp(`^${ALNUM}(?:${SEPARATOR}${ALNUM})*$`);
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*):([0-9a-fA-F]{32,})$/;

const isRegistryHost = (component: string): boolean =>
  component.includes('.') || component.includes(':') || component === 'localhost';

function checkDomain(domain: string): string | undefined {
  const match = /^(.*?)(?::([0-9]+))?$/.exec(domain);
  const host = match?.[1] ?? '';
  const port = match?.[2];
  if (!HOST.test(host)) return `"${domain}" is not a valid registry host`;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) return `registry port ${port} is out of range`;
  return undefined;
}

function checkDigest(digest: string): string | undefined {
  const match = DIGEST.exec(digest);
  if (!match) return 'the digest must look like sha256:<64 hex digits>';
  if (match[1] === 'sha256' && match[2]?.length !== 64) return 'a sha256 digest has exactly 64 hex digits';
  return undefined;
}

/** Splits `name[:tag]`: a `:` after the last `/` starts the tag (a `:` before it is a port). */
function splitTag(nameAndTag: string): { name: string; tag: string | undefined } {
  const colon = nameAndTag.lastIndexOf(':');
  if (colon > nameAndTag.lastIndexOf('/')) return { name: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1) };
  return { name: nameAndTag, tag: undefined };
}

function checkName(name: string): string | undefined {
  const components = name.split('/');
  const first = components[0] ?? '';
  const path = components.length > 1 && isRegistryHost(first) ? components.slice(1) : components;
  if (path !== components) {
    const problem = checkDomain(first);
    if (problem) return problem;
  }
  for (const component of path) {
    if (component === '..' || component === '.') return 'the path must not contain "." or ".." components';
    if (!PATH_COMPONENT.test(component)) {
      return `path component "${component}" must be lowercase letters and digits, separated by ".", "_", "__" or "-"`;
    }
  }
  return undefined;
}

/** Why `ref` is not a valid image reference, or undefined when it is one. */
export function imageReferenceProblem(ref: string): string | undefined {
  if (ref.length === 0) return 'the image reference is empty';
  if (ref.length > MAX_IMAGE_LENGTH) return `the image reference has ${ref.length} characters; the limit is ${MAX_IMAGE_LENGTH}`;
  if (/[^\x21-\x7e]/.test(ref)) return 'the image reference must not contain spaces, control or non-ASCII characters';
  const at = ref.indexOf('@');
  const nameAndTag = at === -1 ? ref : ref.slice(0, at);
  if (at !== -1) {
    const problem = checkDigest(ref.slice(at + 1));
    if (problem) return problem;
  }
  const { name, tag } = splitTag(nameAndTag);
  if (tag !== undefined && !TAG.test(tag)) return `tag "${tag}" must be up to 128 of letters, digits, "_", "." or "-", not starting with "." or "-"`;
  if (name.length === 0) return 'the image reference has no repository name';
  return checkName(name);
}
