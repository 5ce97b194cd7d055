// Throughput of the domain core (parse + classify + fingerprint) on one core, over a realistic fleet mix.
import type { BenchFigure } from '../../infra/bench/types.js';
import { analyzeRecord } from '../src/domain/analyze.js';
import { KNOWN_CODES } from '../src/domain/catalog.js';

const CORPUS_SIZE = 20_000;
const RUNS = 5;
const SEED = 0x5eed;

/** mulberry32: a deterministic corpus makes runs comparable across machines and commits. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Builds `size` records in the proportions a POS fleet ships: mostly our POS lines, ~30% errors. */
export function buildCorpus(size = CORPUS_SIZE, seed = SEED): string[] {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const int = (max: number): number => Math.floor(rnd() * max);
  const codes = [...KNOWN_CODES.keys()];
  const iso = (): string => new Date(Date.UTC(2026, 10, 26, int(24), int(60), int(60), int(1000))).toISOString();
  const logbackTs = (): string => iso().replace('T', ' ').replace('Z', '').replace('.', ',');
  const store = (): string => `store-${pad(1 + int(40), 3)}`;
  const kiosk = (): string => `kiosk-${pad(1 + int(12), 2)}`;
  const order = (): string => `ORD-20261126-${pad(int(1_000_000), 6)}`;
  const amount = (): string => (1 + rnd() * 200).toFixed(2);

  const posInfo = (): string => {
    const details = JSON.stringify({ orderId: order(), storeId: store(), kioskId: kiosk(), total: Number(amount()) });
    return pick([
      `[${iso()}] [INFO] Order ${order()} completed total $${amount()} | ${details}`,
      `[${iso()}] [INFO] Item scanned sku=${int(99999)} qty=${1 + int(4)} | ${details}`,
      `[${iso()}] [DEBUG] Heartbeat ok latency=${int(300)}ms | ${details}`,
      `[${iso()}] [WARN] Receipt printer paper low (${int(20)}%) | ${details}`,
    ]);
  };
  const posError = (): string => {
    const code = pick(codes);
    const details = JSON.stringify({ code, orderId: order(), storeId: store(), kioskId: kiosk(), productId: String(int(5000)) });
    const line = `[${iso()}] [${pick(['ERROR', 'ERROR', 'WARN', 'FATAL'])}] ${pick([
      `Product ${int(5000)} has no price`,
      `Payment of $${amount()} failed for order ${order()} after ${int(30000)}ms`,
      `Terminal ${kiosk()} lost connection to 10.${int(255)}.${int(255)}.${int(255)}:443`,
      `Sync of batch ${int(1e6)} rejected by ERP`,
    ])} | ${details}`;
    if (rnd() < 0.2) {
      return `${line}\nTypeError: Cannot read properties of undefined (reading 'price')\n    at lookupPrice (/app/dist/pricing.js:${int(400)}:${int(80)})\n    at async Checkout.addItem (/app/dist/checkout.js:${int(900)}:${int(40)})\n    at async Server.handle (/app/dist/server.js:${int(200)}:${int(30)})`;
    }
    return line;
  };
  const logback = (error: boolean): string => {
    const head = `${logbackTs()} ${error ? 'ERROR' : 'INFO '} [http-nio-8080-exec-${1 + int(20)}] com.acme.pos.checkout.CheckoutService - ${error ? `Failed to process order ${order()}` : `Processed order ${order()} in ${int(900)} ms`}`;
    if (!error) return head;
    const frames = Array.from({ length: 8 + int(12) }, (_, i) => `\tat com.acme.pos.checkout.Step${i}.run(Step${i}.java:${int(500)})`);
    return [
      head,
      'org.springframework.dao.QueryTimeoutException: PreparedStatementCallback; SQL [select * from price where sku = ?]',
      ...frames,
      `Caused by: java.sql.SQLTimeoutException: Query timed out after ${int(30)}s on connection ${int(64)}`,
      `\tat com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal(ClientPreparedStatement.java:${int(1000)})`,
      `\t... ${int(40)} more`,
    ].join('\n');
  };
  const pino = (error: boolean): string => {
    const base = { level: error ? 50 : 30, time: Date.UTC(2026, 10, 26) + int(86_400_000), pid: 1000 + int(9000), hostname: kiosk(), storeId: store(), kioskId: kiosk() };
    if (!error) return JSON.stringify({ ...base, msg: `request completed in ${int(500)}ms`, reqId: `req-${int(1e6)}`, statusCode: 200 });
    return JSON.stringify({
      ...base,
      msg: `loyalty lookup failed for member ${int(1e7)}`,
      err: { type: 'Error', message: `connect ECONNREFUSED 10.0.${int(255)}.${int(255)}:8443`, stack: `Error: connect ECONNREFUSED 10.0.0.1:8443\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:${int(2000)}:${int(20)})` },
    });
  };
  const python = (error: boolean): string => {
    const head = `${logbackTs()} - pos.payment - ${error ? 'ERROR' : 'INFO'} - ${error ? `Charge failed for ${order()}` : `Charge ${order()} approved amount=${amount()}`}`;
    if (!error) return head;
    return `${head}\nTraceback (most recent call last):\n  File "/srv/pos/payment.py", line ${int(300)}, in charge\n    response = gateway.authorize(card, amount)\n  File "/srv/venv/lib/python3.11/site-packages/requests/adapters.py", line ${int(600)}, in send\n    raise ConnectionError(e, request=request)\nrequests.exceptions.ConnectionError: HTTPSConnectionPool(host='psp.example.com', port=443): Read timed out. (read timeout=${int(30)})`;
  };
  const syslog = (error: boolean): string =>
    rnd() < 0.5
      ? `<${error ? 11 : 14}>Nov 26 ${pad(int(24), 2)}:${pad(int(60), 2)}:${pad(int(60), 2)} ${kiosk()} posd[${int(30000)}]: ${error ? `scanner on /dev/ttyUSB${int(4)} not responding after ${int(5000)}ms` : `session ${int(1e6)} opened for cashier ${int(300)}`}`
      : `<${error ? 11 : 13}>1 ${iso()} ${kiosk()} posd ${int(30000)} ID${int(100)} [pos@32473 storeId="${store()}" kioskId="${kiosk()}"] ${error ? `drawer ${int(3)} failed to open` : 'drawer closed'}`;
  const dotnet = (error: boolean): string =>
    error
      ? `fail: Acme.Pos.Payments.TerminalClient[${int(10)}]\n      Payment terminal request ${int(1e6)} failed\nSystem.TimeoutException: The operation has timed out.\n   at Acme.Pos.Payments.TerminalClient.SendAsync(Request request) in C:\\src\\TerminalClient.cs:line ${int(300)}`
      : `info: Acme.Pos.Payments.TerminalClient[${int(10)}] Terminal ${kiosk()} ready`;
  const plain = (error: boolean): string => (error ? `connection refused by 10.1.${int(255)}.${int(255)}:5432 while syncing basket ${int(1e5)}` : `cache warmed with ${int(10000)} entries in ${int(900)}ms`);

  const records: string[] = [];
  for (let i = 0; i < size; i++) {
    const error = rnd() < 0.3;
    const kind = rnd();
    if (kind < 0.45) records.push(error ? posError() : posInfo());
    else if (kind < 0.57) records.push(logback(error));
    else if (kind < 0.72) records.push(pino(error));
    else if (kind < 0.82) records.push(python(error));
    else if (kind < 0.92) records.push(syslog(error));
    else if (kind < 0.96) records.push(dotnet(error));
    else records.push(plain(error));
  }
  return records;
}

function runOnce(corpus: readonly string[]): { seconds: number; checksum: number } {
  let checksum = 0;
  const started = performance.now();
  for (const record of corpus) {
    // Reading the result keeps the work observable so it cannot be optimised away.
    checksum += analyzeRecord(record).fingerprint.charCodeAt(0);
  }
  return { seconds: (performance.now() - started) / 1000, checksum };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function benchParse(): Promise<BenchFigure[]> {
  const corpus = buildCorpus();
  runOnce(corpus);
  runOnce(corpus);
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(Math.round(corpus.length / runOnce(corpus).seconds));
  return [{ name: 'parse+classify+fingerprint', value: median(runs), unit: 'records/s', target: '>= 50000', runs }];
}
