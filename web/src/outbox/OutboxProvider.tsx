import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { ApiProblem, isNetworkDown } from '../api/problem';
import { problemMessage } from '../api/messages';
import { enqueue, markFailed, queued, remove, send, type OutboxItem, type OutboxResult } from './outbox';

type Done = OutboxResult & { key: string; label: string };
type OutboxState = {
  items: OutboxItem[];
  done: Done[];
  add: (item: OutboxItem) => Promise<void>;
  dismiss: (key: string) => Promise<void>;
  replay: () => Promise<void>;
};

const OutboxContext = createContext<OutboxState | null>(null);
const RETRY_MS = 15_000;

/** Holds the queue, replays it when the browser comes back online (and every 15 s while not empty). */
export function Outbox({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [items, setItems] = useState<OutboxItem[]>([]);
  const [done, setDone] = useState<Done[]>([]);
  const running = useRef(false);

  const refresh = useCallback(async () => setItems(await queued()), []);

  const replay = useCallback(async () => {
    if (running.current) return;
    running.current = true;
    try {
      for (const item of await queued()) {
        if (item.error) continue; // refused by the API: the operator decides
        try {
          const result = await send(item);
          await remove(item.key);
          setDone((d) => [{ ...result, key: item.key, label: item.label }, ...d].slice(0, 20));
        } catch (error) {
          // Still offline, or the session expired (the sign-in dialog is open): keep everything.
          if (isNetworkDown(error) || (error instanceof ApiProblem && error.status === 401)) break;
          await markFailed(item, problemMessage(t, error));
        }
      }
    } finally {
      running.current = false;
      await refresh();
      void queries.invalidateQueries();
    }
  }, [t, refresh, queries]);

  useEffect(() => {
    void refresh().then(() => replay());
    const online = () => void replay();
    window.addEventListener('online', online);
    return () => window.removeEventListener('online', online);
  }, [refresh, replay]);

  useEffect(() => {
    if (!items.length) return;
    const timer = setInterval(() => void replay(), RETRY_MS);
    return () => clearInterval(timer);
  }, [items.length, replay]);

  const add = useCallback(async (item: OutboxItem) => {
    await enqueue(item);
    await refresh();
  }, [refresh]);
  const dismiss = useCallback(async (key: string) => {
    await remove(key);
    setDone((d) => d.filter((x) => x.key !== key));
    await refresh();
  }, [refresh]);

  return <OutboxContext.Provider value={{ items, done, add, dismiss, replay }}>{children}</OutboxContext.Provider>;
}

export function useOutbox(): OutboxState {
  const value = useContext(OutboxContext);
  if (!value) throw new Error('useOutbox outside <Outbox>');
  return value;
}
