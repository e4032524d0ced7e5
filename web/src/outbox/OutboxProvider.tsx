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
  /** The signed-in operator; items queued by someone else wait for them. */
  operatorId: string;
  add: (item: DistributiveOmit<OutboxItem, 'operatorId'>) => Promise<void>;
  dismiss: (key: string) => Promise<void>;
  replay: () => Promise<void>;
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const OutboxContext = createContext<OutboxState | null>(null);
const RETRY_MS = 15_000;

/** Holds the queue, replays it when the browser comes back online (and every 15 s while not empty). */
export function Outbox({ operatorId, children }: { operatorId: string; children: ReactNode }) {
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
        if (item.operatorId !== operatorId) continue; // waits for the operator who queued it
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
  }, [t, refresh, queries, operatorId]);

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

  const add = useCallback(async (item: DistributiveOmit<OutboxItem, 'operatorId'>) => {
    await enqueue({ ...item, operatorId } as OutboxItem);
    await refresh();
  }, [refresh, operatorId]);
  const dismiss = useCallback(async (key: string) => {
    await remove(key);
    setDone((d) => d.filter((x) => x.key !== key));
    await refresh();
  }, [refresh]);

  return <OutboxContext.Provider value={{ items, done, operatorId, add, dismiss, replay }}>{children}</OutboxContext.Provider>;
}

export function useOutbox(): OutboxState {
  const value = useContext(OutboxContext);
  if (!value) throw new Error('useOutbox outside <Outbox>');
  return value;
}
