import { isExpired, sessionFromToken, type Session } from './session.js';

// The one place the session lives. Kept in localStorage so a reload or a second tab stays signed in until the
// token expires; a 401 from anywhere ends it for every page at once.

const STORAGE_KEY = 'stacklens.session';

export interface AuthState {
  readonly session: Session | undefined;
  /** Shown on the sign-in page after an involuntary sign-out. */
  readonly notice: string | undefined;
}

type Listener = () => void;

class AuthStore {
  private state: AuthState = { session: undefined, notice: undefined };
  private readonly listeners = new Set<Listener>();
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;

  restore(): void {
    let raw: string | null = null;
    try {
      raw = localStorage.getItem(STORAGE_KEY);
    } catch {
      raw = null;
    }
    if (!raw) return;
    try {
      const parsed = JSON.parse(raw) as { token?: unknown; expiresAt?: unknown };
      const session = typeof parsed.token === 'string' ? sessionFromToken(parsed.token, new Date(Number(parsed.expiresAt)).toISOString()) : undefined;
      if (session && !isExpired(session, Date.now())) this.set({ session, notice: undefined });
      else if (session) this.expire();
      else this.forget();
    } catch {
      this.forget();
    }
  }

  get snapshot(): AuthState {
    return this.state;
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): AuthState => this.state;

  signIn(session: Session): void {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ token: session.token, expiresAt: session.expiresAt }));
    } catch {
      // Private mode without storage: the session still lasts for this page.
    }
    this.set({ session, notice: undefined });
  }

  signOut(): void {
    this.forget();
    this.set({ session: undefined, notice: undefined });
  }

  /** The token is no longer accepted (401, or its expiry passed). */
  expire(): void {
    if (!this.state.session && this.state.notice) return;
    this.forget();
    this.set({ session: undefined, notice: 'Your session expired. Sign in again to continue.' });
  }

  private forget(): void {
    try {
      localStorage.removeItem(STORAGE_KEY);
    } catch {
      // nothing stored
    }
  }

  private set(next: AuthState): void {
    this.state = next;
    clearTimeout(this.expiryTimer);
    if (next.session) {
      // setTimeout overflows past ~24.8 days; tokens live hours, the cap only guards odd clocks.
      const wait = Math.min(next.session.expiresAt - Date.now(), 2 ** 31 - 1);
      this.expiryTimer = setTimeout(() => this.expire(), Math.max(0, wait));
    }
    for (const listener of this.listeners) listener();
  }
}

export const auth = new AuthStore();
