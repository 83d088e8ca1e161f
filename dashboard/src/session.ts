import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SessionInfo } from '../../src/web/api/contract.ts';

export type User = NonNullable<SessionInfo['user']>;

export interface SessionState {
  session: SessionInfo;
  /** Store a session the server just returned (login, setup, refresh). */
  setSession: (session: SessionInfo) => void;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionContext');
  return state;
}

/** The signed-in user; only called on pages that need one. */
export function useUser(): User {
  const { user } = useSession().session;
  if (!user) throw new Error('useUser while signed out');
  return user;
}
