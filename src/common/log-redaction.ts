/**
 * Query parameters whose value is a credential. Matched on the parameter's name, case-blind,
 * anywhere in it (`access_token`, `apiKey`, `X-Amz-Signature` all count).
 */
const SECRET_PARAMETER = /token|key|pass(word)?|pwd|secret|signature|sig$|^sig|auth|credential|session|code$|otp|jwt|bearer|cookie/i;

/**
 * The URL as a log line may show it: every credential-like query parameter's value replaced by
 * `[REDACTED]` (docs/operations.md, "Logs"). The path is kept as sent; so is the order of the
 * parameters, so a reader can still match the line to the request.
 */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  const at = url.indexOf('?');
  if (at === -1) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // A malformed escape: judge the name as sent.
      }
      return eq !== -1 && SECRET_PARAMETER.test(name) ? `${rawName}=[REDACTED]` : pair;
    })
    .join('&');
  return `${url.slice(0, at)}?${query}`;
}
