// Builders for the three stack-trace dialects a real POS estate emits (JVM register software, Node services,
// Python sync jobs). Continuation lines produced here never start with `[`, as the log format requires.

export interface JavaFrame {
  readonly method: string; // fully qualified, e.g. com.acme.pos.payment.GatewayClient.authorize
  readonly file: string;
  readonly line: number;
}

export interface JavaCause {
  readonly exception: string;
  readonly message: string;
  readonly frames: readonly JavaFrame[];
  readonly more?: number;
}

function javaFrameLine(frame: JavaFrame): string {
  return `\tat ${frame.method}(${frame.file}:${frame.line})`;
}

export function javaStack(exception: string, message: string, frames: readonly JavaFrame[], causes: readonly JavaCause[] = []): string[] {
  const lines = [`${exception}: ${message}`, ...frames.map(javaFrameLine)];
  for (const cause of causes) {
    lines.push(`Caused by: ${cause.exception}: ${cause.message}`, ...cause.frames.map(javaFrameLine));
    if (cause.more !== undefined) lines.push(`\t... ${cause.more} more`);
  }
  return lines;
}

export interface NodeFrame {
  readonly fn?: string;
  readonly location: string; // file:line:column or node:internal location
}

export function nodeStack(errorLine: string, frames: readonly NodeFrame[]): string[] {
  return [errorLine, ...frames.map((frame) => (frame.fn === undefined ? `    at ${frame.location}` : `    at ${frame.fn} (${frame.location})`))];
}

export interface PythonFrame {
  readonly file: string;
  readonly line: number;
  readonly fn: string;
  readonly source: string;
}

export function pythonTraceback(frames: readonly PythonFrame[], exceptionLine: string, cause?: { frames: readonly PythonFrame[]; exceptionLine: string }): string[] {
  const block = (fs: readonly PythonFrame[], last: string): string[] => [
    'Traceback (most recent call last):',
    ...fs.flatMap((f) => [`  File "${f.file}", line ${f.line}, in ${f.fn}`, `    ${f.source}`]),
    last,
  ];
  if (cause === undefined) return block(frames, exceptionLine);
  return [
    ...block(cause.frames, cause.exceptionLine),
    // Python prints blank lines around this sentence; blank continuation lines are dropped by the log format anyway.
    'The above exception was the direct cause of the following exception:',
    ...block(frames, exceptionLine),
  ];
}
