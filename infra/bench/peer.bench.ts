// Peer ratio: our kiosk agent's read path against rsyslog's imfile, on the same file, in the same run, on the same core.
//
// What is compared: each reads a realistic POS log (pos-agent/bench's corpus: order traffic, failures with stack traces,
// card numbers) from its first byte and hands every line on to its output stage.
// - ours: the agent's stages as PosAgent wires them, bundled and run as a kiosk runs it (pos-agent/bench's child):
//   FileTailer → redaction → multiline assembly → PutLogEvents batches, kept in memory (no network).
// - rsyslog: imfile (inotify) → main queue → omfile writing each line to another file, unchanged.
// Both are pinned to core 0 and timed by the wall clock from the start of reading to the last line handled. The agent
// does more per line (PAN redaction, record assembly), rsyslog writes its output; the network half of our agent is
// measured by agent-process. rsyslog's time includes its start-up (a few ms against seconds of reading).

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleChild, kioskNodeOptions, writeCorpus } from '../../pos-agent/bench/agent-throughput.js';
import type { ChildReport } from '../../pos-agent/bench/agent-throughput-child.js';
import { sleep } from './bench-stack.js';
import { median } from './run.js';
import type { BenchFigure } from './types.js';

const RSYSLOGD = '/usr/sbin/rsyslogd';
const LINES = 1_000_000;
const RUNS = 3;
const CORE = '0';
/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
/** rsyslog that has not copied the file after this long is reported as failed rather than waited for. */
const RSYSLOG_TIMEOUT_MS = 120_000;

export async function benchPeer(): Promise<BenchFigure[]> {
  if (!(await executable(RSYSLOGD))) {
    return [{ name: `peer ratio vs rsyslog imfile: not run (no ${RSYSLOGD}; apt-get install rsyslog)`, value: NaN, unit: '' }];
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stacklens-bench-peer-'));
  try {
    const logFile = path.join(dir, 'pos.log');
    const bundle = path.join(dir, 'agent-throughput-child.mjs');
    const [corpus, nodeOptions, version] = await Promise.all([writeCorpus(logFile, LINES), kioskNodeOptions(), rsyslogVersion(), bundleChild(bundle)]);
    const pin = await hasCommand('taskset');

    const agent = await runAgentChild(bundle, logFile, nodeOptions, pin);
    for (const run of agent.runs) {
      if (run.lines !== corpus.lines) throw new Error(`peer bench: our agent read ${run.lines} lines, the corpus has ${corpus.lines}`);
    }
    const ours = agent.runs.map((run) => Math.round(run.lines / run.seconds));

    const theirs: number[] = [];
    const theirsPerCpuSecond: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const result = await runRsyslog(path.join(dir, `rsyslog-${i}`), logFile, corpus.bytes, pin);
      if ('error' in result) return [{ name: `peer ratio vs rsyslog ${version} imfile: not run (${result.error})`, value: NaN, unit: '' }];
      const copied = await countLines(result.output);
      if (copied !== corpus.lines) throw new Error(`peer bench: rsyslog wrote ${copied} lines, the corpus has ${corpus.lines}`);
      await rm(result.output);
      theirs.push(Math.round(corpus.lines / result.seconds));
      theirsPerCpuSecond.push(Math.round(corpus.lines / result.cpuSeconds));
    }
    const oursPerCpuSecond = agent.runs.map((run) => Math.round(run.lines / run.cpuSeconds));
    const corpusName = `${(corpus.lines / 1e6).toFixed(1)}M lines, ${Math.round(corpus.bytes / 2 ** 20)} MB`;
    const where = pin ? `wall clock on core ${CORE}` : 'wall clock, not pinned (no taskset)';
    return [
      { name: `peer: our agent read+redact+multiline+batch (${corpusName}, ${where})`, value: median(ours), unit: 'lines/s', runs: ours },
      { name: `peer: rsyslog ${version} imfile → omfile, same file (${where})`, value: median(theirs), unit: 'lines/s', runs: theirs },
      { name: 'peer ratio: our agent ÷ rsyslog, wall clock (medians)', value: (100 * median(ours)) / median(theirs), unit: '%' },
      // CPU time is what each costs the core, whatever else the machine runs meanwhile.
      {
        name: `peer ratio: our agent ÷ rsyslog per CPU-second (${formatThousands(median(oursPerCpuSecond))} vs ${formatThousands(median(theirsPerCpuSecond))} lines/CPU-s)`,
        value: (100 * median(oursPerCpuSecond)) / median(theirsPerCpuSecond),
        unit: '%',
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** rsyslog in the foreground with only imfile and omfile: no system sockets, its own pid file and state directory. */
async function runRsyslog(
  dir: string,
  input: string,
  inputBytes: number,
  pin: boolean,
): Promise<{ seconds: number; cpuSeconds: number; output: string } | { error: string }> {
  const work = path.join(dir, 'work');
  await mkdir(work, { recursive: true });
  const output = path.join(dir, 'copy.log');
  const config = path.join(dir, 'rsyslog.conf');
  await writeFile(
    config,
    [
      // Tabs in stack traces pass through as they are, so the copy is byte-for-byte the input.
      `global(workDirectory="${work}" parser.escapeControlCharactersOnReceive="off")`,
      'module(load="imfile" mode="inotify")',
      'template(name="line" type="string" string="%rawmsg%\\n")',
      `ruleset(name="copy") { action(type="omfile" file="${output}" template="line") }`,
      `input(type="imfile" file="${input}" tag="pos" ruleset="copy")`,
      '',
    ].join('\n'),
  );
  const args = ['-n', '-f', config, '-i', path.join(dir, 'rsyslogd.pid')];
  const started = performance.now();
  const child = pin
    ? spawn('taskset', ['-c', CORE, RSYSLOGD, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(RSYSLOGD, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (data: string) => (stderr += data));
  try {
    const deadline = Date.now() + RSYSLOG_TIMEOUT_MS;
    for (;;) {
      const size = await stat(output).then(
        (s) => s.size,
        () => 0,
      );
      if (size >= inputBytes) {
        const seconds = (performance.now() - started) / 1000;
        // taskset execs rsyslogd, so the child's pid is rsyslogd's.
        return { seconds, cpuSeconds: await cpuSecondsOf(child.pid!), output };
      }
      if (child.exitCode !== null) return { error: `rsyslogd exited with ${child.exitCode}: ${stderr.trim().slice(0, 200)}` };
      if (Date.now() > deadline) return { error: `rsyslogd copied ${size} of ${inputBytes} bytes in ${RSYSLOG_TIMEOUT_MS / 1000} s` };
      await sleep(10);
    }
  } finally {
    await stop(child);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** The agent's read path, measured by pos-agent/bench's child: bundled with esbuild, under the kiosk unit's NODE_OPTIONS. */
async function runAgentChild(bundle: string, logFile: string, nodeOptions: string, pin: boolean): Promise<ChildReport> {
  const args = [bundle, logFile, String(RUNS)];
  const child = pin
    ? spawn('taskset', ['-c', CORE, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: nodeOptions } })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: nodeOptions } });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (data: string) => (stdout += data));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`agent throughput child exited with ${code}`);
  return JSON.parse(stdout) as ChildReport;
}

/** User + system time of a process and all its threads so far, from /proc (in clock ticks of 1/100 s on Linux). */
async function cpuSecondsOf(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /s, '').split(' ');
  // Fields 14 and 15 of stat(5) (utime, stime); the slice above starts at field 3.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

function formatThousands(n: number): string {
  return `${Math.round(n / 1000)}k`;
}

async function countLines(file: string): Promise<number> {
  const data = await readFile(file);
  let lines = 0;
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) lines += 1;
  return lines;
}

async function rsyslogVersion(): Promise<string> {
  const child = spawn(RSYSLOGD, ['-v'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (data: string) => (out += data));
  await once(child, 'close');
  return /rsyslogd\s+(\S+)/.exec(out)?.[1] ?? '';
}

async function executable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function hasCommand(name: string): Promise<boolean> {
  try {
    const child = spawn(name, ['--version'], { stdio: 'ignore' });
    const [code] = (await once(child, 'close')) as [number | null];
    return code === 0;
  } catch {
    return false;
  }
}
