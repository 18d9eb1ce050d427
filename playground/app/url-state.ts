/**
 * The settings live in the page's URL, so a link reproduces what its sender saw. Only
 * values that differ from their defaults are written, which keeps links short; the URL is
 * replaced, not pushed, so that moving a slider does not flood the back button's history.
 */

let params = new URLSearchParams(location.search);

export function getParam(key: string): string | null {
  return params.get(key);
}

export function hasFlag(key: string): boolean {
  return params.has(key);
}

/** Sets (or, with null, removes) one setting and rewrites the address bar. */
export function setParam(key: string, value: string | null): void {
  if (value === null) params.delete(key);
  else params.set(key, value);
  write();
}

/** Removes every setting whose key starts with `prefix`. */
export function clearParams(prefix: string): void {
  for (const key of [...params.keys()]) if (key.startsWith(prefix)) params.delete(key);
  write();
}

/** Keys with this prefix and their values. */
export function paramsWithPrefix(prefix: string): [string, string][] {
  return [...params.entries()].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]);
}

/** The page's address as it is now, for "copy link". */
export function currentUrl(): string {
  return location.href;
}

function write(): void {
  const query = params.toString().replace(/=(?=&|$)/g, '');
  history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
  params = new URLSearchParams(location.search);
}

/**
 * A number from the URL or a text field: plain decimal or exponent notation. Returns null
 * for anything else, so '', 'abc' and '1e' never become NaN or 0 silently.
 */
export function parseNumber(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  const t = text.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return null;
  const x = Number(t);
  return Number.isFinite(x) ? x : null;
}
