import { describe, expect, it } from '@jest/globals';
import { IncidentFeed, incidentsPath, type ServerQuery } from '../../src/lib/feed.js';
import { LiveConnection, parseLiveMessage, type ConnectionStatus, type SocketLike } from '../../src/lib/live.js';
import type { IncidentPage, LiveMessage } from '../../src/lib/types.js';
import { incident } from './fixtures.js';

class FakeSocket implements SocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  open() {
    this.onopen?.({});
  }
  drop() {
    this.onclose?.({ code: 1006 });
  }
  send(message: unknown) {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }
  close() {
    this.closed = true;
  }
}

class FakeClock {
  now = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  set = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.now + ms, fn, id });
    return id;
  };
  clear = (handle: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== handle);
  };
  pending(): number[] {
    return this.timers.map((t) => t.at - this.now);
  }
  advance(ms: number) {
    const until = this.now + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.now = due.at;
      due.fn();
    }
    this.now = until;
  }
}

function harness(online = { value: true }) {
  const clock = new FakeClock();
  const sockets: FakeSocket[] = [];
  const statuses: ConnectionStatus[] = [];
  const opens: boolean[] = [];
  const messages: LiveMessage[] = [];
  const live = new LiveConnection({
    url: () => 'ws://127.0.0.1/ws?token=t',
    onMessage: (m) => messages.push(m),
    onOpen: (reconnected) => opens.push(reconnected),
    onStatus: (s) => statuses.push(s),
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    isOnline: () => online.value,
    random: () => 0.5,
    now: () => clock.now,
    setTimer: clock.set,
    clearTimer: clock.clear,
  });
  return { clock, sockets, statuses, opens, messages, live, online };
}

const message = (seq: number, id: string, version: number, type: LiveMessage['type'] = 'incident.updated') => ({ type, seq, at: '2026-11-26T12:00:00.000Z', data: incident({ id, version }) });

describe('LiveConnection', () => {
  it('reconnects after a drop with delays doubling from 1 s up to 30 s', () => {
    const h = harness();
    h.live.start();
    h.sockets[0]!.open();
    h.sockets[0]!.drop();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      delays.push(h.clock.pending()[0]!);
      h.clock.advance(delays[i]!);
      h.sockets[h.sockets.length - 1]!.drop();
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(h.statuses.at(-1)).toBe('reconnecting');
  });

  it('resets the backoff and reports a reconnect once a socket opens again', () => {
    const h = harness();
    h.live.start();
    h.sockets[0]!.open();
    h.sockets[0]!.drop();
    h.clock.advance(1_000);
    h.sockets[1]!.drop();
    h.clock.advance(2_000);
    h.sockets[2]!.open();
    expect(h.opens).toEqual([false, true]);
    expect(h.statuses.at(-1)).toBe('live');
    h.sockets[2]!.drop();
    expect(h.clock.pending()).toEqual([1_000]);
  });

  it('waits for the browser to come back online instead of retrying while offline', () => {
    const h = harness();
    h.live.start();
    h.sockets[0]!.open();
    h.online.value = false;
    h.live.wentOffline();
    expect(h.statuses.at(-1)).toBe('offline');
    expect(h.sockets[0]!.closed).toBe(true);
    h.clock.advance(120_000);
    expect(h.sockets).toHaveLength(1);
    h.online.value = true;
    h.live.wentOnline();
    expect(h.sockets).toHaveLength(2);
    h.sockets[1]!.open();
    expect(h.opens).toEqual([false, true]);
  });

  it('passes on well-formed messages and ignores anything else', () => {
    const h = harness();
    h.live.start();
    h.sockets[0]!.open();
    h.sockets[0]!.send(message(1, 'a', 1));
    h.sockets[0]!.send('not json');
    h.sockets[0]!.send({ type: 'incident.deleted', seq: 2, data: { id: 'a', version: 2 } });
    h.sockets[0]!.send({ type: 'incident.updated', seq: 3, data: { id: 'a' } });
    expect(h.messages.map((m) => m.seq)).toEqual([1]);
  });

  it('stops for good when stopped: no more sockets, no timers', () => {
    const h = harness();
    h.live.start();
    h.sockets[0]!.drop();
    h.live.stop();
    h.clock.advance(60_000);
    expect(h.sockets).toHaveLength(1);
    expect(h.clock.pending()).toEqual([]);
  });
});

describe('parseLiveMessage', () => {
  it('accepts the documented shape', () => {
    expect(parseLiveMessage(JSON.stringify(message(7, 'a', 2, 'incident.created')))?.seq).toBe(7);
  });
});

describe('IncidentFeed', () => {
  /** A fake API: pages of `all`, newest lastSeen first, or with updatedSince newest change first, like GET /api/incidents. */
  function fakeApi(all: () => ReturnType<typeof incident>[], pageSize = 2) {
    const calls: Array<{ query: ServerQuery; cursor?: string }> = [];
    const fetchPage = async (query: ServerQuery, cursor?: string): Promise<IncidentPage> => {
      calls.push({ query, ...(cursor ? { cursor } : {}) });
      const sorted = all()
        .filter((i) => !query.status || i.status === query.status)
        .filter((i) => !query.updatedSince || i.updatedAt >= query.updatedSince)
        .sort((a, b) => (query.updatedSince ? b.updatedAt.localeCompare(a.updatedAt) : b.lastSeen.localeCompare(a.lastSeen)));
      const start = cursor ? Number(cursor) : 0;
      const items = sorted.slice(start, start + pageSize);
      return { items, ...(start + pageSize < sorted.length ? { nextCursor: String(start + pageSize) } : {}) };
    };
    return { calls, fetchPage };
  }

  function feedHarness(server: ReturnType<typeof incident>[]) {
    const clock = new FakeClock();
    clock.now = Date.parse('2026-11-26T12:10:00.000Z');
    const api = fakeApi(() => server);
    let handlers: Parameters<NonNullable<ConstructorParameters<typeof IncidentFeed>[0]['createLive']>>[0] | undefined;
    const feed = new IncidentFeed({
      fetchPage: api.fetchPage,
      now: () => clock.now,
      setTimer: clock.set,
      clearTimer: clock.clear,
      createLive: (h) => {
        handlers = h;
        return { start: () => undefined, stop: () => undefined, wentOnline: () => undefined, wentOffline: () => undefined };
      },
    });
    feed.start();
    return { feed, api, clock, live: () => handlers! };
  }

  /** Lets the fake API's promise chains run to the end. */
  const settle = async () => {
    for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
  };

  const at = (minute: number) => `2026-11-26T12:${String(minute).padStart(2, '0')}:00.000Z`;

  it('after a reconnect, has what was created meanwhile and a status change on an incident last seen long ago', async () => {
    // Prepare: ten incidents, the newest page of two loaded, then the socket drops.
    const server = Array.from({ length: 10 }, (_, m) => incident({ id: `old${m}`, lastSeen: at(m) }));
    const h = feedHarness(server);
    await h.feed.show({});
    h.live().onOpen(false);
    await settle();
    h.live().onStatus('reconnecting');
    h.clock.advance(60_000);
    // While the socket was down: three new incidents (more than one page), and the oldest incident was resolved.
    server.push(incident({ id: 'new1', lastSeen: at(10) }), incident({ id: 'new2', lastSeen: at(10) }), incident({ id: 'new3', lastSeen: at(11) }));
    server[0] = { ...server[0]!, status: 'resolved', updatedAt: at(12), version: 2 };
    h.api.calls.length = 0;

    // Act
    h.live().onOpen(true);
    await settle();

    // Assess
    expect(['new1', 'new2', 'new3'].every((id) => h.feed.store.get(id))).toBe(true);
    expect(h.feed.store.get('old0')?.status).toBe('resolved');
    // It asked for changes since the newest update it had seen (12:09) less the margin, not for pages by lastSeen.
    // Five changed since then (the four above and old9 inside the margin): three pages of two.
    expect(h.api.calls.map((c) => c.query)).toEqual(Array.from({ length: 3 }, () => ({ updatedSince: '2026-11-26T12:08:45.000Z' })));
  });

  it('catches up from what it had heard before the drop, not from a page loaded while the socket was down', async () => {
    const server = Array.from({ length: 4 }, (_, m) => incident({ id: `old${m}`, lastSeen: at(m) }));
    const h = feedHarness(server);
    await h.feed.show({});
    h.live().onOpen(false);
    await settle();
    h.live().onStatus('reconnecting');
    // While down: a new incident, and then a change that the user's switch to the resolved filter happens to load.
    server.push(incident({ id: 'new1', lastSeen: at(11) }));
    server[0] = { ...server[0]!, status: 'resolved', updatedAt: at(12), version: 2 };
    await h.feed.show({ status: 'resolved' });
    expect(h.feed.store.get('old0')?.status).toBe('resolved');

    h.live().onOpen(true);
    await settle();

    expect(h.feed.store.get('new1')).toBeDefined();
  });

  it('rereads the newest page when it has seen no incident yet to measure from', async () => {
    const h = feedHarness([incident({ id: 'a', lastSeen: at(1) })]);
    h.live().onOpen(false);
    await settle();
    expect(h.api.calls).toEqual([{ query: {} }]);
    expect(h.feed.store.get('a')).toBeDefined();
  });

  it('refetches when a hole in seq is not filled within the grace period', async () => {
    const server = [incident({ id: 'a', lastSeen: at(1), version: 1 })];
    const h = feedHarness(server);
    h.feed.receive(message(1, 'a', 1));
    server.push(incident({ id: 'missed', lastSeen: at(9), version: 1 }));
    h.feed.receive(message(3, 'a', 3));
    expect(h.feed.store.get('missed')).toBeUndefined();
    h.clock.advance(2_000);
    await settle();
    expect(h.feed.store.get('missed')).toBeDefined();
  });

  it('does not refetch when the late message fills the hole', () => {
    const h = feedHarness([]);
    h.feed.receive(message(1, 'a', 1));
    h.feed.receive(message(3, 'a', 3));
    h.feed.receive(message(2, 'a', 2));
    h.api.calls.length = 0;
    h.clock.advance(5_000);
    expect(h.api.calls).toEqual([]);
    expect(h.feed.store.get('a')?.version).toBe(3);
  });

  it('pages a filtered query with its cursor and remembers where it got to', async () => {
    const server = [0, 1, 2, 3, 4].map((m) => incident({ id: `i${m}`, lastSeen: at(m), status: m % 2 ? 'resolved' : 'open' }));
    const h = feedHarness(server);
    await h.feed.show({ status: 'open' });
    expect(h.feed.queryState({ status: 'open' })).toMatchObject({ loaded: true, nextCursor: '2' });
    await h.feed.loadMore({ status: 'open' });
    expect(h.feed.queryState({ status: 'open' }).nextCursor).toBeUndefined();
    expect(['i0', 'i2', 'i4'].every((id) => h.feed.store.get(id))).toBe(true);
  });

  it('keeps a failed page as an error the page can retry', async () => {
    const feed = new IncidentFeed({ fetchPage: async () => Promise.reject(new Error('The server could not be reached')) });
    await feed.show({});
    expect(feed.queryState({})).toMatchObject({ loading: false, loaded: false, error: 'The server could not be reached' });
  });

  it('builds the list URL with only the filters that are set', () => {
    expect(incidentsPath({ status: 'open', code: 'MISSING_PRICE' }, 'abc')).toBe('/incidents?status=open&code=MISSING_PRICE&limit=100&cursor=abc');
    expect(incidentsPath({})).toBe('/incidents?limit=100');
    expect(incidentsPath({ updatedSince: '2026-11-26T12:08:45.000Z' })).toBe('/incidents?updatedSince=2026-11-26T12%3A08%3A45.000Z&limit=100');
  });
});
