import { useState } from 'preact/hooks';

export interface Action {
  busy: boolean;
  /** A failed request, or a sentence saying what to fix before sending. */
  error: unknown;
  /** What went well, for a status message. */
  done: string;
  /** Runs a change; its resolved text, if any, becomes `done`. */
  run: (work: () => Promise<string | void>) => Promise<void>;
  /** A sentence, or a Problem (a FieldProblem is shown next to its field). */
  fail: (problem: string | Error) => void;
}

/** The busy / error / success state of a form or button that changes something. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  return {
    busy,
    error,
    done,
    run: async (work) => {
      setBusy(true);
      setError(null);
      setDone('');
      try {
        setDone((await work()) ?? '');
      } catch (reason) {
        setError(reason);
      } finally {
        setBusy(false);
      }
    },
    fail: (problem) => {
      setDone('');
      setError(problem);
    },
  };
}
