import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { useSession } from './session';

export type Role = 'program_admin' | 'school_admin' | 'auditor';

/** Who is signed in (role and school), from GET /auth/me. */
export function useMe() {
  const { token } = useSession();
  return useQuery({
    // Not keyed by the token: when a session expires, who was signed in stays known, so the
    // page (and what the desk had typed) stays on screen under the sign-in dialog.
    queryKey: ['me'],
    enabled: !!token,
    staleTime: Infinity,
    queryFn: async () => ok(await api.GET('/api/v1/auth/me')),
  });
}
