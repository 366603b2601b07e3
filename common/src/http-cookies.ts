/** A cookie name (RFC 6265 token) and value: no separators, controls, spaces or quotes inside. */
const NAME_VALUE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+=("?)[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*\1$/;
const ATTRIBUTE = /^[\x20-\x3a\x3c-\x7e]*$/;

/**
 * A function's Set-Cookie, made to apply to that function only: its Domain and Path attributes are
 * dropped and `Path=<cookiePath>` added, so a function can neither set a cookie the portal or
 * another function receives nor widen one to the platform's domain. undefined: not a valid cookie.
 */
export function scopeCookie(cookie: string, cookiePath: string): string | undefined {
  const [first = '', ...attributes] = cookie.split(';').map((part) => part.trim());
  if (!NAME_VALUE.test(first)) return undefined;
  const kept: string[] = [];
  for (const attribute of attributes) {
    if (attribute === '') continue;
    if (!ATTRIBUTE.test(attribute)) return undefined;
    const name = (attribute.split('=')[0] ?? '').trim().toLowerCase();
    if (name !== 'domain' && name !== 'path') kept.push(attribute);
  }
  return [first, ...kept, `Path=${cookiePath}`].join('; ');
}
