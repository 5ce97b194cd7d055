// Stack traces from Java (logback), .NET, Node and Python, reduced to an exception type, message and frame names.
// Frames keep function/module names only: line numbers and columns change with every deploy and would split groups.

export interface ParsedException {
  type: string;
  message: string;
  frames: string[];
}

/** Only this many continuation lines are looked at, so a 10,000-line dump costs the same as a short trace. */
export const MAX_STACK_LINES = 50;
const MAX_TYPE_CHARS = 256;
const MAX_EXCEPTION_MESSAGE_CHARS = 8192;

// `Type`, `pkg.Type`, `Outer$Inner`, `.NET+Nested`, optionally Node's `[ERR_CODE]` or .NET's `(0x80004005)`, then `: message`.
// Segments are separated by a character outside the segment class, so the regex cannot backtrack quadratically.
const HEADER = /^([A-Za-z_$][\w$]*(?:[.+][A-Za-z_$][\w$]*)*)(?: \[[A-Z0-9_]{1,64}\]| \((?:0x[0-9A-Fa-f]{1,16}|-?\d{1,10})\))?(?::(?: (.*))?)?$/;
const EXCEPTION_SUFFIX = /(?:Error|Exception|Throwable|Fault|Failure|Panic|Interrupt|Exit)$/;
const PYTHON_FRAME = /^File "([^"]*)", line \d+(?:, in (.+))?$/;
const JAVA_MODULE_PREFIX = /^[\w.@-]+\/\/?(?=[\w$])/;
const LINE_COLUMN = /(?::\d+){1,2}$/;

function capType(type: string): string {
  return type.length > MAX_TYPE_CHARS ? type.slice(0, MAX_TYPE_CHARS) : type;
}

function capMessage(message: string): string {
  return message.length > MAX_EXCEPTION_MESSAGE_CHARS ? message.slice(0, MAX_EXCEPTION_MESSAGE_CHARS) : message;
}

function looksLikeExceptionType(type: string): boolean {
  const lastDot = Math.max(type.lastIndexOf('.'), type.lastIndexOf('$'), type.lastIndexOf('+'));
  const simple = type.slice(lastDot + 1);
  const first = simple.charCodeAt(0);
  const startsUpper = first >= 65 && first <= 90;
  if (!startsUpper) return false;
  // A dotted name with an upper-case class at the end (com.acme.PaymentDeclined) is a Java/.NET class even without the suffix.
  return EXCEPTION_SUFFIX.test(simple) || lastDot > 0;
}

/**
 * Parses `Type: message` (or a bare `Type`). `loose` accepts any identifier as the type: the last line of a
 * Python traceback is an exception whatever it is called (KeyboardInterrupt, StopIteration, custom classes).
 */
export function parseExceptionHeader(line: string, loose = false): { type: string; message: string } | undefined {
  const text = line.trim();
  if (text.length === 0) return undefined;
  // Bound the regex input; the message tail is re-attached unmatched.
  const head = text.length > 2048 ? text.slice(0, 2048) : text;
  const colon = head.indexOf(': ');
  const probe = colon === -1 ? head : head.slice(0, colon + 1);
  const m = HEADER.exec(probe);
  if (!m) return undefined;
  const type = m[1] ?? '';
  if (!loose && !looksLikeExceptionType(type)) return undefined;
  if (colon === -1 && probe.endsWith(':') === false && !loose && !EXCEPTION_SUFFIX.test(type)) return undefined;
  const message = colon === -1 ? '' : text.slice(colon + 2);
  return { type: capType(type), message: capMessage(message) };
}

function basename(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut === -1 ? path : path.slice(cut + 1);
}

/**
 * File names carry versions and build hashes (`0054_add_loyalty_tier.py`, `main.3f2a1b9c.js`) that change with
 * every release: a name segment holding a digit becomes <n>.
 */
function stableFileName(name: string): string {
  if (!/\d/.test(name)) return name;
  return name
    .split(/([._-])/)
    .map((segment) => (/\d/.test(segment) ? '<n>' : segment))
    .join('');
}

// JVM-generated classes carry per-process counters (proxies, reflection accessors, lambdas, CGLIB subclasses).
function normaliseGeneratedNames(name: string): string {
  if (name.indexOf('$') === -1 && name.indexOf('Generated') === -1) return name;
  return name
    .replace(/\$\$Lambda\$?\d*(?:\/0x[0-9a-fA-F]+|\/\d+)?/g, () => '$$Lambda')
    .replace(/(GeneratedMethodAccessor|GeneratedConstructorAccessor|GeneratedSerializationConstructorAccessor|\$Proxy)\d+/g, (_m, prefix: string) => prefix)
    .replace(/\$\$(EnhancerBySpringCGLIB|SpringCGLIB|FastClassBySpringCGLIB|EnhancerByCGLIB)\$\$[0-9a-fA-F]+/g, (_m, kind: string) => `$$${kind}`);
}

/** One stack line to a frame name, or undefined when the line is not a frame. `line` is already trimmed at the start. */
export function frameFromLine(line: string): string | undefined {
  if (line.startsWith('at ')) return frameFromAtLine(line.slice(3).trim());
  if (line.startsWith('File "')) {
    const m = PYTHON_FRAME.exec(line.trimEnd());
    if (!m) return undefined;
    const file = stableFileName(basename(m[1] ?? ''));
    const module = file.endsWith('.py') ? file.slice(0, -3) : file;
    return m[2] ? `${module}.${m[2].trim()}` : module;
  }
  return undefined;
}

function frameFromAtLine(raw: string): string | undefined {
  let body = raw.length > 1024 ? raw.slice(0, 1024) : raw;
  if (body.startsWith('async ')) body = body.slice(6);
  if (body.length === 0) return undefined;
  const paren = body.indexOf('(');
  if (paren > 0 && body.charCodeAt(paren - 1) === 32) {
    // Node: `fn (file:1:2)`, `Class.method [as alias] (file:1:2)`, `new Foo (file:1:2)`.
    let name = body.slice(0, paren - 1);
    const alias = name.indexOf(' [as ');
    if (alias !== -1) name = name.slice(0, alias);
    if (name === '<anonymous>' || name === 'Object.<anonymous>') {
      const close = body.lastIndexOf(')');
      const location = body.slice(paren + 1, close === -1 ? undefined : close);
      return stableFileName(basename(location.replace(LINE_COLUMN, ''))) || name;
    }
    return normaliseGeneratedNames(name);
  }
  if (paren > 0) {
    // Java `pkg.Class.method(File.java:42)` / .NET `Ns.Class.Method(Args a) in C:\src\File.cs:line 42`.
    const name = body.slice(0, paren).replace(JAVA_MODULE_PREFIX, '');
    return normaliseGeneratedNames(name);
  }
  // Node anonymous frame: `at /app/dist/index.js:10:5` or `at node:internal/process/task_queues:95:5`.
  const location = body.replace(LINE_COLUMN, '');
  return stableFileName(basename(location)) || undefined;
}

interface Header {
  type: string;
  message: string;
}

/** .NET flattens inner exceptions into the outer message: `Outer: text ---> Inner: text`. */
function innermostOfChain(header: Header): Header {
  const arrow = header.message.lastIndexOf(' ---> ');
  if (arrow === -1) return header;
  return parseExceptionHeader(header.message.slice(arrow + 6), true) ?? header;
}

export interface StackScan {
  exception?: ParsedException;
  /** a frame was seen: the record carries a real stack trace */
  hasFrames: boolean;
}

/**
 * Reads continuation lines of one record. The exception reported is the root cause: the last `Caused by:` /
 * `--->` in Java/.NET, the last line of a Python traceback. Frames are innermost first for every language
 * (Python's are reversed), so "the top 3 frames" means the same thing everywhere.
 *
 * @param lines at most MAX_STACK_LINES continuation lines
 * @param lastLine the record's last non-empty line (a Python traceback ends with the exception even past the line cap)
 * @param headerCandidate the record's first line, used as the exception header when the frames follow it directly
 */
export function scanStack(lines: readonly string[], lastLine: string | undefined, headerCandidate?: string): StackScan {
  const frames: string[] = [];
  let first: Header | undefined;
  let cause: Header | undefined;
  let traceback = false;
  for (const rawLine of lines) {
    const line = rawLine.trimStart();
    if (line.length === 0) continue;
    const frame = frameFromLine(line);
    if (frame !== undefined) {
      if (frames.length < MAX_STACK_LINES) frames.push(frame);
      continue;
    }
    if (line.startsWith('Traceback (most recent call last)')) {
      traceback = true;
      continue;
    }
    if (line.startsWith('Caused by: ')) {
      cause = parseExceptionHeader(line.slice(11), true) ?? cause;
      continue;
    }
    if (line.startsWith('---> ')) {
      cause = parseExceptionHeader(line.slice(5), true) ?? cause;
      continue;
    }
    if (line.startsWith('... ') || line.startsWith('--- ') || line.startsWith('Suppressed: ')) continue;
    if (first === undefined && !traceback) first = parseExceptionHeader(line);
  }

  let header: Header | undefined;
  if (traceback) {
    header = lastLine === undefined ? undefined : parseExceptionHeader(lastLine, true);
    frames.reverse();
  }
  header ??= cause ?? first;
  if (header === undefined && frames.length > 0 && headerCandidate !== undefined) {
    header = parseExceptionHeader(headerCandidate);
  }
  if (header === undefined) return { hasFrames: frames.length > 0 };
  const root = innermostOfChain(header);
  return { exception: { type: root.type, message: root.message, frames }, hasFrames: frames.length > 0 };
}
