import { useSyncExternalStore } from 'react';

/**
 * The signed-in operator's token. Kept in sessionStorage: it survives a reload of the desk but
 * not the browser being closed on a shared school computer. `expired` is set when the API
 * answers 401 to a token: the sign-in dialog opens over the page, whose input stays.
 */
const KEY = 'laptop-loans.token';
type State = { token: string | null; expired: boolean };

let state: State = { token: sessionStorage.getItem(KEY), expired: false };
const listeners = new Set<() => void>();
const set = (next: State) => {
  state = next;
  if (next.token) sessionStorage.setItem(KEY, next.token);
  else sessionStorage.removeItem(KEY);
  listeners.forEach((l) => l());
};

export const session = {
  token: () => state.token,
  signIn: (token: string) => set({ token, expired: false }),
  expire: () => set({ token: null, expired: true }),
  signOut: () => set({ token: null, expired: false }),
  subscribe: (listener: () => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function useSession(): State {
  return useSyncExternalStore(session.subscribe, () => state);
}
