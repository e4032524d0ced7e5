import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { ApiProblem, NetworkDown } from './problem';
import { i18n } from '../i18n';
import { session } from '../auth/session';

/**
 * The one way the console reaches the API: openapi-fetch typed by the types generated from the
 * committed openapi.json (`npm run web:generate`). Every request carries the token and the
 * operator's language; every failure is thrown as an ApiProblem (problem+json) or NetworkDown.
 */
const auth: Middleware = {
  onRequest({ request }) {
    const token = session.token();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    request.headers.set('Accept-Language', i18n.language === 'en' ? 'en' : 'id');
    return request;
  },
  async onResponse({ response }) {
    if (response.ok) return response;
    const type = response.headers.get('content-type') ?? '';
    const body = type.includes('json') ? await response.clone().json().catch(() => ({})) : {};
    const problem = new ApiProblem(response.status, body);
    // An expired or revoked token: ask for the password again over the current page (its input
    // stays), then the operator repeats the action.
    if (response.status === 401 && session.token()) session.expire();
    throw problem;
  },
  onError({ error }) {
    // fetch itself failed: offline, DNS, connection reset (a problem answer never gets here).
    return new NetworkDown(error);
  },
};

export const api = createClient<paths>({ baseUrl: location.origin });
api.use(auth);

/** The data of a successful call (failures were thrown by the middleware). */
export function ok<T>(result: { data?: T; error?: unknown }): T {
  if (result.data === undefined) throw new ApiProblem(500, {});
  return result.data;
}

/** A PDF the API answered (called with `parseAs: 'blob'`), as an object URL to open or print. */
export async function fileUrl(result: Promise<{ data?: Blob; error?: unknown }>): Promise<string> {
  return URL.createObjectURL(ok(await result));
}
