import type { components } from './api-types.ts';

type Session = components['schemas']['Session'];
export interface SignedIn {
  accessToken: string;
  refreshToken: string;
  user: components['schemas']['Me'];
}

/**
 * The signed-in user, kept in localStorage so a reload stays signed in. The page renders every
 * text with textContent and the CSP allows only this origin's scripts, which is what keeps the
 * tokens from other scripts.
 */
const KEY = 'gavel.session';
const listeners = new Set<() => void>();
let renewing: Promise<boolean> | null = null;

function read(): SignedIn | null {
  try {
    const value = localStorage.getItem(KEY);
    return value ? (JSON.parse(value) as SignedIn) : null;
  } catch {
    return null;
  }
}

/** Listeners hear of signing in and out, not of a token renewed for the same user. */
function write(value: SignedIn | null): void {
  const before = read()?.user.id;
  if (value) localStorage.setItem(KEY, JSON.stringify(value));
  else localStorage.removeItem(KEY);
  if (before !== value?.user.id) for (const listener of listeners) listener();
}

export const session = {
  current: read,
  start(answer: Session): void {
    write({ accessToken: answer.accessToken, refreshToken: answer.refreshToken, user: answer.user });
  },
  end(): void {
    write(null);
  },
  onChange(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /**
   * One refresh at a time: a refresh token works once, and a second use of the spent one would
   * revoke the whole login, so concurrent 401s share this one renewal.
   */
  renew(refresh: (refreshToken: string) => Promise<Session | null>): Promise<boolean> {
    const signedIn = read();
    if (!signedIn) return Promise.resolve(false);
    renewing ??= refresh(signedIn.refreshToken)
      .then((answer) => {
        if (answer) session.start(answer);
        else write(null);
        return answer !== null;
      })
      .catch(() => false)
      .finally(() => {
        renewing = null;
      });
    return renewing;
  },
};
