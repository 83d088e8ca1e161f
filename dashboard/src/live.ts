import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { LineState, Overview } from '../../src/web/api/contract.ts';
import { api } from './api.ts';

export type Connection = 'connecting' | 'live' | 'reconnecting';

export interface Live {
  overview: Overview | null;
  connection: Connection;
  error: unknown;
  /** Show a line's new state at once, before the next event confirms it. */
  patchLine: (line: LineState) => void;
  /** The id of the newest contact the server announced (0 before the first): lists reload on it. */
  newestContact: number;
}

const RETRY_MS = 5_000;

/** The overview, first fetched then kept current by the server's `overview` events. */
export function useLiveOverview(): Live {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [error, setError] = useState<unknown>(null);
  const [newestContact, setNewestContact] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    let source: EventSource | null = null;
    let retry: number | undefined;

    const load = () =>
      api.get<Overview>('/api/overview', abort.signal).then(
        (value) => {
          setOverview(value);
          setError(null);
        },
        (reason: unknown) => {
          if (!abort.signal.aborted) setError(reason);
        },
      );

    const connect = () => {
      source = new EventSource('/api/events');
      source.addEventListener('open', () => setConnection('live'));
      source.addEventListener('overview', (event: MessageEvent<string>) => {
        setOverview(JSON.parse(event.data) as Overview);
        setConnection('live');
      });
      source.addEventListener('contacts', (event: MessageEvent<string>) => {
        const { newest } = JSON.parse(event.data) as { newest: number };
        setNewestContact((current) => Math.max(current, newest));
      });
      source.addEventListener('error', () => {
        setConnection('reconnecting');
        // EventSource retries by itself unless the server refused the stream (signed out, server
        // restarting behind a proxy): then reload, which also notices a lost session, and reconnect.
        if (source?.readyState === EventSource.CLOSED) {
          retry = window.setTimeout(() => {
            void load().then(connect);
          }, RETRY_MS);
        }
      });
    };

    void load();
    connect();
    return () => {
      abort.abort();
      window.clearTimeout(retry);
      source?.close();
    };
  }, []);

  const patchLine = (line: LineState) =>
    setOverview(
      (current) =>
        current && {
          ...current,
          lines: current.lines.map((l) => (l.id === line.id ? line : l)),
        },
    );

  return { overview, connection, error, patchLine, newestContact };
}

export const LiveContext = createContext<Live | null>(null);

export function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive outside LiveContext');
  return live;
}

/** The hotline's currency, for amounts whose API row does not carry it. */
export function useCurrency(): string {
  return useLive().overview?.currency ?? 'EUR';
}
