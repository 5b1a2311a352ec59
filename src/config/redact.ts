/**
 * Redaction of what may carry a secret when it is shown or journaled. RPC URLs of hosted nodes often
 * carry an API key in the path or query (`https://host/v3/<key>`) or credentials in the user info
 * (`http://user:password@host`): only the scheme and host[:port] are ever shown.
 */

/** The form of an environment variable name: what `*Env` config fields take (never the secret itself). */
export const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `scheme://host[:port]` of a URL, with user info, path, query and fragment replaced by `…`:
 * `http://user:pw@127.0.0.1:9/v3/KEY?x=1` → `http://…@127.0.0.1:9/…`. A string that does not parse as
 * a URL is not shown at all (`<not a URL>`): it may be a secret pasted in the wrong place.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<not a URL>';
  }
  const userInfo = parsed.username || parsed.password ? '…@' : '';
  const hidden = (parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search || parsed.hash;
  // `host` of a non-special scheme (e.g. `foo:bar`) may be empty: then nothing but the scheme is shown.
  return `${parsed.protocol}//${userInfo}${parsed.host}${hidden ? '/…' : ''}`;
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`,;()[\]{}]+/gi;

/** Replaces every `scheme://…` URL inside a text (an error message from a library) by its redacted form. */
export function redactUrlsIn(text: string): string {
  return text.replace(URL_IN_TEXT, (match) => {
    // A sentence may end right after the URL: keep the final period outside.
    const trailing = /[.:]+$/.exec(match)?.[0] ?? '';
    return redactUrl(match.slice(0, match.length - trailing.length)) + trailing;
  });
}

/** A copy of an error's cause chain (name, message, code) with every URL redacted; the original is untouched. */
export function redactCauseChain(error: unknown, depth = 0): unknown {
  if (error === undefined || error === null || depth >= 8) return undefined;
  if (!(error instanceof Error)) return redactUrlsIn(String(error));
  const copy = new Error(redactUrlsIn(error.message), {
    cause: redactCauseChain((error as { cause?: unknown }).cause, depth + 1),
  });
  copy.name = error.name;
  copy.stack = `${copy.name}: ${copy.message}`;
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) (copy as Error & { code?: unknown }).code = code;
  return copy;
}
