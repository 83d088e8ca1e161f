import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.ts';

export interface Resource<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
  /** Replace the data with what a change request returned. */
  update: (change: (current: T) => T) => void;
}

/** GET `path` (again whenever it changes, or on reload); null waits. */
export function useResource<T>(path: string | null): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(path !== null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    if (path === null) return;
    const abort = new AbortController();
    setLoading(true);
    api.get<T>(path, abort.signal).then(
      (value) => {
        setData(value);
        setError(null);
        setLoading(false);
      },
      (reason: unknown) => {
        if (abort.signal.aborted) return;
        setError(reason);
        setLoading(false);
      },
    );
    return () => abort.abort();
  }, [path, version]);

  return {
    data,
    error,
    loading,
    reload: () => setVersion((v) => v + 1),
    update: (change) => setData((current) => (current === null ? current : change(current))),
  };
}

/** One page of a list, and where the next starts (an id, or an opaque cursor from the server). */
export interface Page<T, C = number> {
  items: T[];
  nextBefore: C | null;
}

export interface Pages<T> {
  items: T[];
  error: unknown;
  loading: boolean;
  hasMore: boolean;
  loadMore: () => void;
  replace: (match: (item: T) => boolean, item: T) => void;
  /** Reads the newest page again and puts what is new on top, keeping the older pages read. */
  refreshTop: () => void;
}

/**
 * A list read page by page, newest first: `load(before)` fetches the page older than `before`.
 * Starts over whenever `key` changes (new filters).
 */
export function usePages<T, C = number>(
  key: string,
  load: (before: C | null, signal: AbortSignal) => Promise<Page<T, C>>,
  /** What tells two items apart when the newest page is read again (refreshTop). */
  idOf: (item: T) => unknown = (item) => item,
): Pages<T> {
  const identity = useRef(idOf);
  identity.current = idOf;
  const [items, setItems] = useState<T[]>([]);
  const [nextBefore, setNextBefore] = useState<C | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const loader = useRef(load);
  loader.current = load;
  const abort = useRef<AbortController | null>(null);

  const fetchPage = (before: C | null) => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setLoading(true);
    setError(null);
    loader.current(before, controller.signal).then(
      (page) => {
        setItems((current) => (before === null ? page.items : [...current, ...page.items]));
        setNextBefore(page.nextBefore);
        setLoading(false);
      },
      (reason: unknown) => {
        if (controller.signal.aborted) return;
        setError(reason);
        setLoading(false);
      },
    );
  };

  useEffect(() => {
    setItems([]);
    fetchPage(null);
    return () => abort.current?.abort();
  }, [key]);

  return {
    items,
    error,
    loading,
    hasMore: nextBefore !== null,
    loadMore: () => {
      if (nextBefore !== null) fetchPage(nextBefore);
    },
    replace: (match, item) =>
      setItems((current) => current.map((existing) => (match(existing) ? item : existing))),
    refreshTop: () => {
      const controller = new AbortController();
      loader.current(null, controller.signal).then(
        (page) =>
          setItems((current) => {
            const fresh = new Set(page.items.map(identity.current));
            return [...page.items, ...current.filter((item) => !fresh.has(identity.current(item)))];
          }),
        () => undefined,
      );
    },
  };
}

/** GET `path` now and every `everyMs` while `path` is not null; keeps the last good answer. */
export function usePolling<T>(
  path: string | null,
  everyMs: number,
): { data: T | null; error: unknown } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    setData(null);
    if (path === null) return;
    const abort = new AbortController();
    const poll = () =>
      api.get<T>(path, abort.signal).then(
        (value) => {
          setData(value);
          setError(null);
        },
        (reason: unknown) => {
          if (!abort.signal.aborted) setError(reason);
        },
      );
    void poll();
    const timer = window.setInterval(() => void poll(), everyMs);
    return () => {
      abort.abort();
      window.clearInterval(timer);
    };
  }, [path, everyMs]);

  return { data, error };
}

/** The current time, updated every `everyMs` (for countdowns). */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

/**
 * Runs `run` after `trigger` changes, at most once every `everyMs`; the last change always gets its
 * run. For reloads driven by the live stream, which may announce contacts several times a second.
 */
export function useThrottledEffect(run: () => void, trigger: unknown[], everyMs: number): void {
  const last = useRef(0);
  const timer = useRef<number | undefined>(undefined);
  const latest = useRef(run);
  latest.current = run;
  useEffect(() => {
    const fire = () => {
      timer.current = undefined;
      last.current = Date.now();
      latest.current();
    };
    const wait = last.current + everyMs - Date.now();
    if (wait <= 0) fire();
    else timer.current ??= window.setTimeout(fire, wait);
  }, trigger);
  useEffect(() => () => window.clearTimeout(timer.current), []);
}
