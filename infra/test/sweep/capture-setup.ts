// Runs before every test file (setupFilesAfterEnv): copies into the sweep directory what reaches a test without
// passing a helper — the body and headers of every fetch answered on the loopback interface (the local stack, the
// doubles, a CLI-started runtime) and, in a jest worker, everything written to stdout and stderr (Powertools' logger
// writes there directly). Nothing is changed on the way through. Console calls are copied by the sweep's reporter
// (console-reporter.ts) from jest's buffer instead: wrapping console here would make jest print the wrapper as the
// origin of every console line.

import { capture, currentTestFile, sweepDir } from '../helpers/sweep.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const SINK = Symbol.for('stacklens.sweep.sink');
const WRAPPED = Symbol.for('stacklens.sweep.wrapped');
/** A jest-worker child runs its processChild script; in band, the test runs inside jest's own process. */
const IN_JEST_WORKER = /[\\/]jest-worker[\\/]build[\\/]processChild\.js$/.test(process.argv[1] ?? '');

type Sink = (data: string | Uint8Array) => void;
type Writable = NodeJS.WriteStream & { [SINK]?: Sink; [WRAPPED]?: boolean };

function requestOf(input: Parameters<typeof fetch>[0], init: Parameters<typeof fetch>[1]): { method: string; url: URL | undefined } {
  const href = typeof input === 'string' ? input : 'href' in input ? String(input.href) : input.url;
  const method = (init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET')).toUpperCase();
  try {
    return { method, url: new URL(href) };
  } catch {
    return { method, url: undefined };
  }
}

function teeFetch(): void {
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const response = await original(input, init);
    const { method, url } = requestOf(input, init);
    if (url !== undefined && LOOPBACK.has(url.hostname)) {
      const label = `${method} ${url.host}${url.pathname}${url.search} -> ${response.status} ${JSON.stringify(Object.fromEntries(response.headers))}`;
      // A clone, read on the side: the test still reads (or ignores) the original as it would without the sweep.
      response
        .clone()
        .arrayBuffer()
        .then(
          (body) => capture('response', new Uint8Array(body), label),
          () => capture('response', '(body unreadable)', label),
        );
    }
    return response;
  };
}

/**
 * The streams outlive a test file: the wrapper is installed once per process and writes to the sink of the file
 * running now. Only in a worker: in band, jest's reporter shares these streams, and a failing test's report (which may
 * quote a card number the test fed in) is not product output.
 */
function teeStreams(): void {
  if (!IN_JEST_WORKER) return;
  for (const stream of [process.stdout, process.stderr] as Writable[]) {
    stream[SINK] = (data) => capture('stdout', data);
    if (stream[WRAPPED]) continue;
    stream[WRAPPED] = true;
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      // isView, not instanceof: a Buffer comes from Node's realm, not from the test context's.
      if (typeof chunk === 'string' || ArrayBuffer.isView(chunk)) stream[SINK]?.(chunk as string | Uint8Array);
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}

if (sweepDir() !== undefined) {
  // Named now, while this file's globals are up: later captures (late responses, stream writes) reuse the name.
  currentTestFile();
  teeFetch();
  teeStreams();
}
