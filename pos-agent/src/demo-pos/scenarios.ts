// The demo POS failure catalogue: realistic log records for the failures a retail till estate actually sees.
// Each scenario keys on a catalogue code (functions/src/domain/catalog.ts), which alone decides category and severity.
// Generators vary only ids, amounts, latencies, hosts' numeric parts and the like, and keep every other word fixed,
// so repeated occurrences of one scenario group into one incident while still looking like live traffic.

import { knownCode, type Category, type Severity } from '../../../functions/src/domain/catalog.js';
import type { LogLevel, LogRecord } from './log-format.js';
import { digits, formatCents, hex, intBetween, maskedPan, padded, pick, privateIp, type Rand } from './random.js';
import { javaStack, nodeStack, pythonTraceback } from './stack-traces.js';

export type ScenarioLevel = Extract<LogLevel, 'WARN' | 'ERROR' | 'FATAL'>;

export interface ScenarioContext {
  readonly storeId: string;
  readonly kioskId: string;
  readonly orderId: string;
  readonly now: Date;
  readonly rand: Rand;
  /** Set when a real order triggered the failure (the till's own checkout path); generators invent one otherwise. */
  readonly productId?: string;
  readonly productName?: string;
  readonly quantity?: number;
  readonly stockOnHand?: number;
}

export interface ScenarioOutput {
  readonly message: string;
  readonly details: Record<string, unknown>;
  readonly stack?: string[];
}

export interface Scenario {
  readonly name: string;
  readonly code: string;
  readonly title: string;
  readonly level: ScenarioLevel;
  readonly generate: (ctx: ScenarioContext) => ScenarioOutput;
}

export interface ScenarioSummary {
  readonly name: string;
  readonly code: string;
  readonly title: string;
  readonly category: Category;
  readonly severity: Severity;
}

interface ScenarioDefinition {
  readonly name: string;
  readonly code: string;
  /** Defaults to the catalogue title of the code. */
  readonly title?: string;
  readonly level: ScenarioLevel;
  readonly generate: (ctx: ScenarioContext) => ScenarioOutput;
}

// Hosts and paths used by the fictional estate. Only numeric parts vary between occurrences.
const GATEWAY = 'gw.example-payments.com';
const LOYALTY = 'loyalty.example-retail.com';
const HQ = 'hq.example-retail.com';

const txnId = (rand: Rand): string => `TXN-${hex(rand, 8)}`;
const terminalId = (rand: Rand): string => `PED-${padded(intBetween(rand, 1, 9999), 4)}`;
const operatorId = (rand: Rand): string => `E-${padded(intBetween(rand, 1000, 99999), 5)}`;
const receiptId = (rand: Rand): string => `R-${digits(rand, 6)}`;
const sku = (rand: Rand): string => padded(intBetween(rand, 10000, 9999999), 7);
// UPC-A (12 digits): long digit runs are kept out of logs so PAN scanners never mistake an id for a card number.
const upcA = (rand: Rand): string => `0${digits(rand, 11)}`;
const storeDbHost = (rand: Rand): string => `pos-db-${padded(intBetween(rand, 1, 4), 2)}.store.local`;
const requestId = (rand: Rand): string => `${hex(rand, 8, false)}-${hex(rand, 4, false)}-${hex(rand, 4, false)}-${hex(rand, 4, false)}-${hex(rand, 12, false)}`;
const isoDate = (date: Date): string => date.toISOString().slice(0, 10);
const daysBefore = (now: Date, days: number): Date => new Date(now.getTime() - days * 86_400_000);

const definitions: readonly ScenarioDefinition[] = [
  // ── payment ──────────────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'payment-gateway-timeout',
    code: 'PAYMENT_TIMEOUT',
    title: 'Payment gateway timeout',
    level: 'ERROR',
    generate: ({ rand }) => {
      const elapsedMs = intBetween(rand, 30_001, 30_950);
      const txn = txnId(rand);
      const amountCents = intBetween(rand, 199, 48_000);
      return {
        message: `Payment gateway timeout after ${elapsedMs}ms calling https://${GATEWAY}/v2/authorize (txn ${txn})`,
        details: { txnId: txn, amountCents, currency: 'USD', terminalId: terminalId(rand), cardLast4: maskedPan(rand), gatewayHost: GATEWAY, timeoutMs: 30_000, elapsedMs, attempt: intBetween(rand, 1, 3) },
        stack: javaStack(
          'com.acme.pos.payment.GatewayTimeoutException',
          `authorize ${txn} did not complete within 30000ms`,
          [
            { method: 'com.acme.pos.payment.gateway.HttpGatewayClient.authorize', file: 'HttpGatewayClient.java', line: 214 },
            { method: 'com.acme.pos.payment.PaymentService.charge', file: 'PaymentService.java', line: 131 },
            { method: 'com.acme.pos.checkout.CheckoutController.tender', file: 'CheckoutController.java', line: 388 },
            { method: 'java.base/java.util.concurrent.ThreadPoolExecutor.runWorker', file: 'ThreadPoolExecutor.java', line: 1136 },
            { method: 'java.base/java.lang.Thread.run', file: 'Thread.java', line: 840 },
          ],
          [
            {
              exception: 'java.net.SocketTimeoutException',
              message: 'Read timed out',
              frames: [
                { method: 'java.base/sun.nio.ch.NioSocketImpl.timedRead', file: 'NioSocketImpl.java', line: 288 },
                { method: 'java.base/sun.nio.ch.NioSocketImpl.implRead', file: 'NioSocketImpl.java', line: 314 },
              ],
              more: 5,
            },
          ],
        ),
      };
    },
  },
  {
    name: 'card-declined-insufficient-funds',
    code: 'CARD_DECLINED_NSF',
    level: 'WARN',
    generate: ({ rand }) => {
      const card = maskedPan(rand);
      const amountCents = intBetween(rand, 1_500, 62_000);
      const txn = txnId(rand);
      return {
        message: `Card ${card} declined by issuer: response code 51 insufficient funds (amount ${formatCents(amountCents)}, txn ${txn})`,
        details: { txnId: txn, cardLast4: card, amountCents, currency: 'USD', responseCode: '51', terminalId: terminalId(rand), cardBrand: pick(rand, ['VISA', 'MASTERCARD', 'AMEX', 'DISCOVER']) },
      };
    },
  },
  {
    name: 'contactless-tap-rejected',
    code: 'CONTACTLESS_FAILED',
    level: 'WARN',
    generate: ({ rand }) => {
      const terminal = terminalId(rand);
      const tapMs = intBetween(rand, 180, 1_400);
      return {
        message: `Contactless tap rejected on terminal ${terminal}: kernel C-2 returned SW 6985 after ${tapMs}ms, insert card requested`,
        details: { terminalId: terminal, kernel: 'C-2', statusWord: '6985', tapMs, cardLast4: maskedPan(rand), amountCents: intBetween(rand, 250, 9_900) },
      };
    },
  },
  {
    name: 'dcc-rate-unavailable',
    code: 'DCC_SERVICE_UNAVAILABLE',
    level: 'WARN',
    generate: ({ rand }) => {
      const card = maskedPan(rand);
      const elapsedMs = intBetween(rand, 900, 4_800);
      return {
        message: `DCC rate lookup failed for card ${card}: rate service returned HTTP 503 after ${elapsedMs}ms, charging in local currency`,
        details: { cardLast4: card, cardCurrency: pick(rand, ['EUR', 'GBP', 'JPY', 'CAD', 'MXN']), httpStatus: 503, elapsedMs, rateHost: `dcc.example-payments.com:${pick(rand, [443, 8443])}`, amountCents: intBetween(rand, 800, 35_000) },
      };
    },
  },
  {
    name: 'duplicate-charge-posted',
    code: 'DUPLICATE_CHARGE',
    level: 'FATAL',
    generate: ({ rand, orderId }) => {
      const first = txnId(rand);
      const second = txnId(rand);
      const amountCents = intBetween(rand, 500, 90_000);
      const gapMs = intBetween(rand, 40, 2_500);
      return {
        message: `Duplicate capture detected for order ${orderId}: ${first} and ${second} both settled for ${formatCents(amountCents)} within ${gapMs}ms`,
        details: { txnIds: [first, second], amountCents, currency: 'USD', gapMs, cardLast4: maskedPan(rand), terminalId: terminalId(rand), batchId: `B-${digits(rand, 6)}` },
      };
    },
  },
  {
    name: 'emv-chip-read-failure',
    code: 'EMV_READ_ERROR',
    level: 'ERROR',
    generate: ({ rand }) => {
      const terminal = terminalId(rand);
      const retries = intBetween(rand, 2, 4);
      return {
        message: `EMV chip read failed on PIN pad ${terminal}: APDU SELECT AID returned SW 6A82 after ${retries} retries`,
        details: { terminalId: terminal, statusWord: '6A82', retries, aid: pick(rand, ['A0000000031010', 'A0000000041010', 'A000000025010801']), cardLast4: maskedPan(rand), firmware: `PED-FW ${intBetween(rand, 3, 5)}.${intBetween(rand, 0, 9)}.${intBetween(rand, 0, 30)}` },
      };
    },
  },
  {
    name: 'split-tender-failure',
    code: 'SPLIT_PAYMENT_ERROR',
    level: 'ERROR',
    generate: ({ rand, orderId }) => {
      const giftCents = intBetween(rand, 500, 5_000);
      const dueCents = intBetween(rand, 1_000, 25_000);
      const card = maskedPan(rand);
      const txn = txnId(rand);
      return {
        message: `Split tender failed on leg 2 of 2 for order ${orderId}: card ${card} voided, gift card leg ${formatCents(giftCents)} kept, balance due ${formatCents(dueCents)} (txn ${txn})`,
        details: { txnId: txn, legs: 2, failedLeg: 2, giftCardLegCents: giftCents, balanceDueCents: dueCents, cardLast4: card, terminalId: terminalId(rand) },
        stack: javaStack(
          'com.acme.pos.tender.SplitTenderException',
          `leg 2 rejected: void of ${txn} requested`,
          [
            { method: 'com.acme.pos.tender.SplitTenderCoordinator.completeLeg', file: 'SplitTenderCoordinator.java', line: 172 },
            { method: 'com.acme.pos.tender.SplitTenderCoordinator.run', file: 'SplitTenderCoordinator.java', line: 96 },
            { method: 'com.acme.pos.checkout.CheckoutController.tender', file: 'CheckoutController.java', line: 402 },
          ],
          [
            {
              exception: 'com.acme.pos.payment.DeclinedException',
              message: 'issuer response 05 do not honor',
              frames: [{ method: 'com.acme.pos.payment.PaymentService.charge', file: 'PaymentService.java', line: 158 }],
              more: 3,
            },
          ],
        ),
      };
    },
  },
  {
    name: 'wallet-handshake-failure',
    code: 'WALLET_HANDSHAKE_FAIL',
    level: 'WARN',
    generate: ({ rand }) => {
      const elapsedMs = intBetween(rand, 600, 3_200);
      const token = digits(rand, 4);
      const terminal = terminalId(rand);
      return {
        message: `NFC wallet handshake aborted after ${elapsedMs}ms: cryptogram validation failed for token ending ${token} on terminal ${terminal}`,
        details: { wallet: pick(rand, ['apple_pay', 'google_pay', 'samsung_pay']), tokenLast4: token, terminalId: terminal, elapsedMs, amountCents: intBetween(rand, 300, 15_000) },
      };
    },
  },
  {
    name: 'payment-declined-fraud-screen',
    code: 'PAYMENT_DECLINED_FRAUD',
    level: 'ERROR',
    generate: ({ rand }) => {
      const score = intBetween(rand, 86, 99);
      const card = maskedPan(rand);
      const amountCents = intBetween(rand, 25_000, 180_000);
      const txn = txnId(rand);
      return {
        message: `Authorization declined by fraud screening: risk score ${score}/100 for card ${card} amount ${formatCents(amountCents)} (txn ${txn})`,
        details: { txnId: txn, riskScore: score, threshold: 85, cardLast4: card, amountCents, currency: 'USD', rulesHit: intBetween(rand, 1, 4) },
      };
    },
  },

  // ── inventory ────────────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'missing-price',
    code: 'MISSING_PRICE',
    title: 'Product 999 has no price',
    level: 'ERROR',
    generate: ({ rand, orderId, productId, productName, quantity }) => {
      const id = productId ?? '999';
      return {
        message: `Product ${id} has no price in the active price book; order ${orderId} rejected`,
        details: { productId: id, productName: productName ?? 'Mystery Product', quantity: quantity ?? intBetween(rand, 1, 3), priceBook: 'PB-ACTIVE' },
      };
    },
  },
  {
    name: 'barcode-not-found',
    code: 'BARCODE_NOT_FOUND',
    level: 'WARN',
    generate: ({ rand, orderId, productId, quantity }) => {
      const id = productId ?? upcA(rand);
      return {
        message: `Item lookup failed: product ${id} not found in store item file (order ${orderId})`,
        details: { productId: id, quantity: quantity ?? 1, scannerId: `SCN-${padded(intBetween(rand, 1, 8), 2)}`, itemFileVersion: intBetween(rand, 4_100, 4_900) },
      };
    },
  },
  {
    name: 'insufficient-stock',
    code: 'INVENTORY_MISMATCH',
    level: 'ERROR',
    generate: ({ rand, orderId, productId, quantity, stockOnHand }) => {
      const id = productId ?? sku(rand);
      const onHand = stockOnHand ?? intBetween(rand, 0, 4);
      const requested = quantity ?? onHand + intBetween(rand, 1, 6);
      return {
        message: `Insufficient stock for product ${id}: requested ${requested}, system on hand ${onHand} (order ${orderId})`,
        details: { productId: id, requested, onHand },
      };
    },
  },
  {
    name: 'bundle-decomposition-failure',
    code: 'BUNDLE_DECOMP_FAIL',
    level: 'ERROR',
    generate: ({ rand }) => {
      const bundle = `BND-${padded(intBetween(rand, 100, 9999), 4)}`;
      const component = sku(rand);
      const version = intBetween(rand, 3, 40);
      return {
        message: `Bundle SKU ${bundle} decomposition failed: component ${component} missing from bundle definition v${version}`,
        details: { bundleSku: bundle, componentSku: component, definitionVersion: version, productId: bundle },
        stack: nodeStack(`TypeError: Cannot read properties of undefined (reading 'unitPriceCents')`, [
          { fn: 'decomposeBundle', location: '/opt/acme-pos/services/basket/dist/bundles.js:88:41' },
          { fn: 'Array.map', location: '<anonymous>' },
          { fn: 'Basket.addLine', location: '/opt/acme-pos/services/basket/dist/basket.js:142:27' },
          { fn: 'async ScanHandler.onScan', location: '/opt/acme-pos/services/basket/dist/scan-handler.js:57:5' },
        ]),
      };
    },
  },
  {
    name: 'duplicate-serial-number',
    code: 'DUPLICATE_SERIAL',
    level: 'WARN',
    generate: ({ rand, now }) => {
      const serial = `SN-${hex(rand, 10)}`;
      const soldOn = isoDate(daysBefore(now, intBetween(rand, 1, 120)));
      const receipt = receiptId(rand);
      return {
        message: `Serial ${serial} rejected: already recorded as sold on ${soldOn} (receipt ${receipt})`,
        details: { serialNumber: serial, previousReceipt: receipt, previousSaleDate: soldOn, productId: sku(rand) },
      };
    },
  },
  {
    name: 'negative-stock',
    code: 'NEGATIVE_STOCK',
    level: 'WARN',
    generate: ({ rand, orderId }) => {
      const id = sku(rand);
      const level = -intBetween(rand, 1, 12);
      return {
        message: `Stock level for product ${id} went negative (${level}) after sale on order ${orderId}; item file not adjusted`,
        details: { productId: id, stockLevel: level, lastCountDaysAgo: intBetween(rand, 2, 60) },
      };
    },
  },
  {
    name: 'price-lookup-failure',
    code: 'PRICE_NOT_FOUND',
    level: 'ERROR',
    generate: ({ rand, now }) => {
      const id = sku(rand);
      const book = `PB-${now.getUTCFullYear()}-${padded(intBetween(rand, 1, 52), 2)}`;
      return {
        message: `Price lookup failed for SKU ${id} in price book ${book}: no active price for effective date ${isoDate(now)}`,
        details: { productId: id, priceBook: book, effectiveDate: isoDate(now) },
        stack: javaStack(
          'com.acme.pos.pricing.PriceNotFoundException',
          `no active price for sku=${id}`,
          [
            { method: 'com.acme.pos.pricing.PriceBookRepository.activePrice', file: 'PriceBookRepository.java', line: 97 },
            { method: 'com.acme.pos.pricing.PricingEngine.priceLine', file: 'PricingEngine.java', line: 61 },
            { method: 'com.acme.pos.basket.Basket.addItem', file: 'Basket.java', line: 204 },
            { method: 'com.acme.pos.scan.ScanController.onBarcode', file: 'ScanController.java', line: 75 },
          ],
        ),
      };
    },
  },
  {
    name: 'return-condition-rejected',
    code: 'RETURN_CONDITION_REJECT',
    level: 'WARN',
    generate: ({ rand }) => {
      const receipt = receiptId(rand);
      const line = intBetween(rand, 1, 9);
      return {
        message: `Return rejected for receipt ${receipt} line ${line}: item condition DMG-${intBetween(rand, 1, 4)} not accepted by return policy RP-07`,
        details: { receipt, line, productId: sku(rand), refundCents: intBetween(rand, 499, 24_999), operatorId: operatorId(rand) },
      };
    },
  },

  // ── network ──────────────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'cloud-service-degraded',
    code: 'CLOUD_DEGRADED',
    level: 'ERROR',
    generate: ({ rand }) => {
      const p95 = intBetween(rand, 2_200, 9_800);
      const failed = intBetween(rand, 4, 30);
      return {
        message: `Upstream https://${HQ} degraded: p95 latency ${p95}ms over last 60s (threshold 1500ms), ${failed} of 50 requests failed`,
        details: { host: HQ, p95LatencyMs: p95, thresholdMs: 1_500, failedRequests: failed, windowRequests: 50, region: pick(rand, ['us-east-1', 'us-east-2', 'us-west-2']) },
      };
    },
  },
  {
    name: 'database-connection-lost',
    code: 'DB_CONNECTION_LOST',
    level: 'FATAL',
    generate: ({ rand }) => {
      const host = storeDbHost(rand);
      const ip = privateIp(rand);
      const attempts = intBetween(rand, 3, 5);
      return {
        message: `Lost connection to store database ${host}:5432 after ${attempts} reconnect attempts`,
        details: { dbHost: host, dbPort: 5432, resolvedIp: ip, attempts, downForMs: intBetween(rand, 5_000, 120_000) },
        stack: nodeStack(`Error: connect ECONNREFUSED ${ip}:5432`, [
          { fn: 'TCPConnectWrap.afterConnect [as oncomplete]', location: 'node:net:1611:16' },
          { fn: 'Pool.connect', location: '/opt/acme-pos/services/orders/node_modules/pg-pool/index.js:45:11' },
          { fn: 'async OrderRepository.save', location: '/opt/acme-pos/services/orders/dist/order-repository.js:63:20' },
        ]),
      };
    },
  },
  {
    name: 'dns-resolution-failure',
    code: 'DNS_RESOLUTION_FAIL',
    level: 'ERROR',
    generate: ({ rand }) => {
      const elapsedMs = intBetween(rand, 5_000, 5_400);
      const resolver = `10.0.0.${intBetween(rand, 2, 3)}`;
      return {
        message: `getaddrinfo ENOTFOUND ${GATEWAY} while calling payment gateway (resolver ${resolver}, ${elapsedMs}ms)`,
        details: { host: GATEWAY, resolver, elapsedMs, syscall: 'getaddrinfo', errno: -3008, txnId: txnId(rand) },
        stack: nodeStack(`Error: getaddrinfo ENOTFOUND ${GATEWAY}`, [
          { fn: 'GetAddrInfoReqWrap.onlookupall [as oncomplete]', location: 'node:dns:120:26' },
          { fn: 'GatewayClient.authorize', location: '/opt/acme-pos/services/payments/dist/gateway-client.js:118:13' },
        ]),
      };
    },
  },
  {
    name: 'api-rate-limited',
    code: 'RATE_LIMIT_EXCEEDED',
    level: 'ERROR',
    generate: ({ rand }) => {
      const retryAfter = intBetween(rand, 5, 60);
      return {
        message: `HTTP 429 from https://${LOYALTY}/v1/members: rate limit 600/min exceeded, retry after ${retryAfter}s`,
        details: { host: LOYALTY, httpStatus: 429, limitPerMinute: 600, retryAfterSeconds: retryAfter, requestId: requestId(rand), queued: intBetween(rand, 3, 80) },
      };
    },
  },
  {
    name: 'ssl-certificate-expired',
    code: 'SSL_CERT_EXPIRED',
    level: 'FATAL',
    generate: ({ rand, now }) => {
      const expired = `${isoDate(daysBefore(now, intBetween(rand, 1, 9)))}T23:59:59Z`;
      return {
        message: `TLS handshake with ${GATEWAY}:443 failed: certificate has expired (notAfter ${expired})`,
        details: { host: GATEWAY, port: 443, notAfter: expired, serial: hex(rand, 16), txnId: txnId(rand) },
        stack: javaStack(
          'javax.net.ssl.SSLHandshakeException',
          'PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed',
          [
            { method: 'java.base/sun.security.ssl.Alert.createSSLException', file: 'Alert.java', line: 131 },
            { method: 'java.base/sun.security.ssl.TransportContext.fatal', file: 'TransportContext.java', line: 378 },
            { method: 'com.acme.pos.payment.gateway.HttpGatewayClient.authorize', file: 'HttpGatewayClient.java', line: 207 },
          ],
          [
            {
              exception: 'java.security.cert.CertificateExpiredException',
              message: `NotAfter: ${expired}`,
              frames: [{ method: 'java.base/sun.security.x509.CertificateValidity.valid', file: 'CertificateValidity.java', line: 277 }],
              more: 12,
            },
          ],
        ),
      };
    },
  },
  {
    name: 'store-network-offline',
    code: 'NETWORK_PARTITION',
    level: 'FATAL',
    generate: ({ rand }) => {
      const downSeconds = intBetween(rand, 30, 900);
      const queued = intBetween(rand, 1, 60);
      return {
        message: `Store uplink down: 0 of 2 WAN links reachable for ${downSeconds}s, ${queued} transactions queued offline`,
        details: { wanLinks: 2, reachable: 0, downSeconds, queuedTransactions: queued, gatewayIp: privateIp(rand), lastProbeMs: intBetween(rand, 2_000, 5_000) },
      };
    },
  },

  // ── hardware ─────────────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'biometric-reader-failure',
    code: 'BIOMETRIC_READ_FAIL',
    level: 'WARN',
    generate: ({ rand }) => {
      const reader = `FPR-${padded(intBetween(rand, 1, 999), 4)}`;
      const quality = intBetween(rand, 5, 38);
      return {
        message: `Fingerprint reader ${reader} returned image quality ${quality} (minimum 40) for operator login, ${intBetween(rand, 2, 5)} attempts`,
        details: { readerId: reader, quality, minimumQuality: 40, operatorId: operatorId(rand) },
      };
    },
  },
  {
    name: 'customer-display-offline',
    code: 'DISPLAY_ERROR',
    level: 'WARN',
    generate: ({ rand }) => {
      const port = `/dev/ttyUSB${intBetween(rand, 0, 3)}`;
      const lastMs = intBetween(rand, 1_000, 9_000);
      return {
        message: `Customer display on ${port} not responding: no ACK after 5 writes (last attempt ${lastMs}ms)`,
        details: { port, writes: 5, lastAttemptMs: lastMs, model: 'LD9000' },
      };
    },
  },
  {
    name: 'receipt-printer-jam',
    code: 'PRINTER_JAM',
    level: 'ERROR',
    generate: ({ rand, orderId }) => {
      const usb = `usb:1-1.${intBetween(rand, 1, 6)}`;
      return {
        message: `Receipt printer TM-T88VI at ${usb} reported paper jam (status 0x14) while printing receipt for order ${orderId}`,
        details: { printerModel: 'TM-T88VI', device: usb, statusByte: '0x14', receiptLines: intBetween(rand, 12, 80) },
      };
    },
  },
  {
    name: 'scale-calibration-error',
    code: 'SCALE_CALIBRATION_ERR',
    level: 'ERROR',
    generate: ({ rand }) => {
      const scale = `SC-${padded(intBetween(rand, 1, 12), 2)}`;
      const drift = (intBetween(rand, 6, 60) / 1000).toFixed(3);
      return {
        message: `Scale ${scale} zero drift ${drift}kg exceeds tolerance 0.005kg; weighed items blocked until recalibration`,
        details: { scaleId: scale, driftKg: Number(drift), toleranceKg: 0.005, lastCalibrated: `${intBetween(rand, 20, 400)}d ago` },
      };
    },
  },
  {
    name: 'scanner-malfunction',
    code: 'SCANNER_ERROR',
    level: 'ERROR',
    generate: ({ rand }) => {
      const scanner = `HS-${padded(intBetween(rand, 1, 9999), 4)}`;
      const device = `/dev/hidraw${intBetween(rand, 0, 5)}`;
      const silentSeconds = intBetween(rand, 30, 600);
      return {
        message: `Barcode scanner ${scanner} on ${device} stopped responding: 0 decodes in ${silentSeconds}s, ${intBetween(rand, 5, 40)} read timeouts`,
        details: { scannerId: scanner, device, silentSeconds },
        stack: pythonTraceback(
          [
            { file: '/opt/acme-pos/peripherals/scanner/daemon.py', line: 211, fn: 'poll_loop', source: 'frame = self.device.read_frame(timeout=2.0)' },
            { file: '/opt/acme-pos/peripherals/scanner/hid.py', line: 84, fn: 'read_frame', source: 'raise ScannerTimeout(self.path, timeout)' },
          ],
          `peripherals.scanner.hid.ScannerTimeout: no frame from ${device} within 2.0s`,
        ),
      };
    },
  },
  {
    name: 'touchscreen-drift',
    code: 'TOUCHSCREEN_DRIFT',
    level: 'WARN',
    generate: ({ rand }) => {
      const dx = intBetween(rand, 9, 30);
      const dy = -intBetween(rand, 9, 30);
      return {
        message: `Touch calibration drift detected: offset dx=${dx}px dy=${dy}px exceeds 8px threshold on display 1`,
        details: { dxPx: dx, dyPx: dy, thresholdPx: 8, mistaps: intBetween(rand, 3, 40) },
      };
    },
  },

  // ── database ─────────────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'connection-pool-exhausted',
    code: 'CONN_POOL_EXHAUSTED',
    level: 'ERROR',
    generate: ({ rand }) => {
      const waitedMs = intBetween(rand, 30_000, 30_090);
      const waiting = intBetween(rand, 5, 60);
      return {
        message: `HikariPool-1 - Connection is not available, request timed out after ${waitedMs}ms (total=20, active=20, idle=0, waiting=${waiting})`,
        details: { pool: 'HikariPool-1', maxPoolSize: 20, active: 20, idle: 0, waiting, waitedMs, dbHost: storeDbHost(rand) },
        stack: javaStack(
          'java.sql.SQLTransientConnectionException',
          `HikariPool-1 - Connection is not available, request timed out after ${waitedMs}ms`,
          [
            { method: 'com.zaxxer.hikari.pool.HikariPool.createTimeoutException', file: 'HikariPool.java', line: 696 },
            { method: 'com.zaxxer.hikari.pool.HikariPool.getConnection', file: 'HikariPool.java', line: 181 },
            { method: 'com.zaxxer.hikari.HikariDataSource.getConnection', file: 'HikariDataSource.java', line: 100 },
            { method: 'com.acme.pos.orders.JdbcOrderRepository.save', file: 'JdbcOrderRepository.java', line: 58 },
            { method: 'com.acme.pos.checkout.CheckoutController.complete', file: 'CheckoutController.java', line: 441 },
          ],
        ),
      };
    },
  },
  {
    name: 'journal-data-corruption',
    code: 'DATA_CORRUPTION',
    level: 'FATAL',
    generate: ({ rand }) => {
      const page = intBetween(rand, 1_000, 250_000);
      const expected = `0x${hex(rand, 8)}`;
      return {
        message: `Checksum mismatch in transaction journal page ${page} of /var/lib/pos/journal.db: expected ${expected}, found 0x00000000`,
        details: { file: '/var/lib/pos/journal.db', page, expectedChecksum: expected, foundChecksum: '0x00000000', affectedTransactions: intBetween(rand, 1, 40) },
      };
    },
  },
  {
    name: 'transaction-deadlock',
    code: 'DB_DEADLOCK',
    level: 'ERROR',
    generate: ({ rand, orderId }) => {
      const pid = intBetween(rand, 1_000, 65_000);
      const blocker = intBetween(rand, 1_000, 65_000);
      const xid = intBetween(rand, 1_000_000, 99_999_999);
      return {
        message: `Deadlock detected saving order ${orderId}: process ${pid} waits for ShareLock on transaction ${xid}; blocked by process ${blocker}`,
        details: { pid, blockingPid: blocker, transactionId: xid, sqlState: '40P01', table: 'stock_levels' },
        stack: javaStack(
          'org.postgresql.util.PSQLException',
          'ERROR: deadlock detected',
          [
            { method: 'org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse', file: 'QueryExecutorImpl.java', line: 2713 },
            { method: 'org.postgresql.jdbc.PgPreparedStatement.executeUpdate', file: 'PgPreparedStatement.java', line: 152 },
            { method: 'com.acme.pos.inventory.JdbcStockRepository.decrement', file: 'JdbcStockRepository.java', line: 119 },
            { method: 'com.acme.pos.checkout.CheckoutController.complete', file: 'CheckoutController.java', line: 436 },
          ],
        ),
      };
    },
  },
  {
    name: 'db-migration-failed',
    code: 'DB_MIGRATION_FAILED',
    level: 'FATAL',
    generate: ({ rand }) => {
      const revision = padded(intBetween(rand, 40, 60), 4);
      const step = intBetween(rand, 2, 5);
      return {
        message: `Local database migration ${revision} failed at step ${step}/5: column "tier" of relation "customers" already exists`,
        details: { revision, step, steps: 5, sqlState: '42701', dbHost: storeDbHost(rand) },
        stack: pythonTraceback(
          [
            { file: '/opt/acme-pos/db/migrate.py', line: 66, fn: 'upgrade', source: 'command.upgrade(cfg, "head")' },
            { file: '/usr/lib/python3/dist-packages/alembic/runtime/migration.py', line: 623, fn: 'run_migrations', source: 'step.migration_fn(**kw)' },
            { file: `/opt/acme-pos/db/versions/${revision}_add_loyalty_tier.py`, line: 21, fn: 'upgrade', source: 'op.add_column("customers", sa.Column("tier", sa.String(16)))' },
          ],
          'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.DuplicateColumn) column "tier" of relation "customers" already exists',
        ),
      };
    },
  },

  // ── integration ──────────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'email-receipt-service-down',
    code: 'EMAIL_SERVICE_DOWN',
    level: 'WARN',
    generate: ({ rand }) => {
      const queued = intBetween(rand, 1, 90);
      return {
        message: `Email receipt delivery failed: smtp.example-mail.com:587 answered 421 4.7.0 try again later, ${queued} receipts queued`,
        details: { smtpHost: 'smtp.example-mail.com', smtpPort: 587, smtpReply: '421 4.7.0', queuedReceipts: queued, oldestQueuedSeconds: intBetween(rand, 10, 3_600) },
      };
    },
  },
  {
    name: 'erp-sync-failure',
    code: 'ERP_SYNC_FAIL',
    level: 'ERROR',
    generate: ({ rand, now }) => {
      const batch = `JB-${isoDate(now).replaceAll('-', '')}-${padded(intBetween(rand, 1, 999), 4)}`;
      const debit = intBetween(rand, 100_000, 900_000);
      const credit = debit - intBetween(rand, 1, 5_000);
      return {
        message: `ERP journal export batch ${batch} rejected by accounting API: 400 unbalanced entry (debit ${formatCents(debit)}, credit ${formatCents(credit)})`,
        details: { batchId: batch, httpStatus: 400, debitCents: debit, creditCents: credit, entries: intBetween(rand, 40, 900) },
        stack: pythonTraceback(
          [
            { file: '/opt/acme-pos/erp/export_journal.py', line: 152, fn: 'push_batch', source: 'resp.raise_for_status()' },
            { file: '/usr/lib/python3/dist-packages/requests/models.py', line: 1021, fn: 'raise_for_status', source: 'raise HTTPError(http_error_msg, response=self)' },
          ],
          `requests.exceptions.HTTPError: 400 Client Error: Bad Request for url: https://erp.example-retail.com/api/v3/journals/${batch}`,
        ),
      };
    },
  },
  {
    name: 'gift-card-balance-failure',
    code: 'GIFT_CARD_ERROR',
    level: 'ERROR',
    generate: ({ rand }) => {
      const card = maskedPan(rand);
      const elapsedMs = intBetween(rand, 1_200, 9_000);
      const txn = txnId(rand);
      return {
        message: `Gift card balance inquiry failed for card ${card}: processor returned 96 system malfunction after ${elapsedMs}ms (txn ${txn})`,
        details: { txnId: txn, cardLast4: card, responseCode: '96', elapsedMs, processor: 'giftcards.example-payments.com' },
      };
    },
  },
  {
    name: 'kitchen-display-timeout',
    code: 'KDS_TIMEOUT',
    level: 'ERROR',
    generate: ({ rand, orderId }) => {
      const kds = `KDS-${padded(intBetween(rand, 1, 6), 2)}`;
      const ip = privateIp(rand);
      return {
        message: `Order ${orderId} not acknowledged by kitchen display ${kds} within 8000ms (sent 3 times to ${ip}:9100)`,
        details: { kdsId: kds, kdsAddress: `${ip}:9100`, timeoutMs: 8_000, sends: 3, lineItems: intBetween(rand, 1, 14) },
      };
    },
  },
  {
    name: 'loyalty-api-down',
    code: 'LOYALTY_API_DOWN',
    level: 'WARN',
    generate: ({ rand }) => {
      const elapsedMs = intBetween(rand, 300, 4_000);
      const member = `M-${digits(rand, 8)}`;
      return {
        message: `Loyalty API https://${LOYALTY}/v1/points unavailable: 503 Service Unavailable after ${elapsedMs}ms, points for member ${member} deferred`,
        details: { host: LOYALTY, httpStatus: 503, elapsedMs, memberId: member, pointsDeferred: intBetween(rand, 5, 900) },
        stack: nodeStack('LoyaltyUnavailableError: Request failed with status code 503', [
          { fn: 'settle', location: '/opt/acme-pos/services/loyalty/node_modules/axios/lib/core/settle.js:19:12' },
          { fn: 'IncomingMessage.handleStreamEnd', location: '/opt/acme-pos/services/loyalty/node_modules/axios/lib/adapters/http.js:599:11' },
          { fn: 'async LoyaltyClient.accruePoints', location: '/opt/acme-pos/services/loyalty/dist/loyalty-client.js:74:18' },
        ]),
      };
    },
  },
  {
    name: 'tax-calculation-error',
    code: 'TAX_CALC_ERROR',
    level: 'ERROR',
    generate: ({ rand, orderId }) => {
      const jurisdiction = padded(intBetween(rand, 1, 9999), 4);
      const reqId = requestId(rand);
      return {
        message: `Tax calculation service returned 500 for order ${orderId} (jurisdiction ${jurisdiction}, request ${reqId})`,
        details: { httpStatus: 500, jurisdiction, requestId: reqId, lines: intBetween(rand, 1, 30), taxHost: 'tax.example-retail.com' },
        stack: javaStack(
          'com.acme.pos.tax.TaxServiceException',
          'HTTP 500 Internal Server Error from POST /v1/calculate',
          [
            { method: 'com.acme.pos.tax.RemoteTaxCalculator.calculate', file: 'RemoteTaxCalculator.java', line: 143 },
            { method: 'com.acme.pos.basket.TotalsService.recalculate', file: 'TotalsService.java', line: 88 },
            { method: 'com.acme.pos.checkout.CheckoutController.total', file: 'CheckoutController.java', line: 297 },
          ],
        ),
      };
    },
  },

  // ── security ─────────────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'employee-auth-failure',
    code: 'AUTH_FAILED',
    level: 'ERROR',
    generate: ({ rand }) => {
      const operator = operatorId(rand);
      const attempt = intBetween(rand, 1, 4);
      return {
        message: `Operator login failed for ${operator}: invalid PIN (attempt ${attempt} of 5)`,
        details: { operatorId: operator, attempt, maxAttempts: 5, method: 'pin' },
      };
    },
  },
  {
    name: 'unauthorized-refund-attempt',
    code: 'AUTH_LIMIT_EXCEEDED',
    level: 'ERROR',
    generate: ({ rand }) => {
      const operator = operatorId(rand);
      const refundCents = intBetween(rand, 10_500, 95_000);
      const receipt = receiptId(rand);
      return {
        message: `Refund of ${formatCents(refundCents)} by operator ${operator} exceeds role limit 100.00 without manager override (receipt ${receipt})`,
        details: { operatorId: operator, refundCents, roleLimitCents: 10_000, receipt, role: 'cashier' },
      };
    },
  },
  {
    name: 'suspicious-transaction-pattern',
    code: 'FRAUD_ALERT',
    level: 'ERROR',
    generate: ({ rand }) => {
      const attempts = intBetween(rand, 5, 14);
      const cards = intBetween(rand, 3, attempts);
      const windowSeconds = intBetween(rand, 40, 300);
      return {
        message: `Velocity rule V-12 triggered: ${attempts} card attempts with ${cards} distinct cards in ${windowSeconds}s`,
        details: { rule: 'V-12', attempts, distinctCards: cards, windowSeconds, lastCardLast4: maskedPan(rand), totalAttemptedCents: intBetween(rand, 20_000, 400_000) },
      };
    },
  },
  {
    name: 'pci-violation-detected',
    code: 'PCI_VIOLATION',
    level: 'FATAL',
    generate: ({ rand, now }) => {
      const file = `/var/log/pos/debug-${isoDate(now).replaceAll('-', '')}.log`;
      const offset = intBetween(rand, 1_000, 9_000_000);
      return {
        message: `PCI DSS scan found unmasked PAN pattern in ${file} at offset ${offset}; file quarantined`,
        details: { file, offset, matches: intBetween(rand, 1, 6), scanner: 'pan-scan 2.4', quarantinePath: `/var/quarantine/${hex(rand, 12, false)}` },
      };
    },
  },
  {
    name: 'session-token-expired',
    code: 'SESSION_EXPIRED',
    level: 'WARN',
    generate: ({ rand, now }) => {
      const operator = operatorId(rand);
      const ageMinutes = intBetween(rand, 481, 900);
      const expiredAt = new Date(now.getTime() - (ageMinutes - 480) * 60_000).toISOString();
      return {
        message: `Operator session expired mid-transaction for ${operator} (issued ${ageMinutes} min ago), re-authentication required`,
        details: { operatorId: operator, tokenAgeMinutes: ageMinutes, maxAgeMinutes: 480, expiredAt },
        stack: nodeStack(`TokenExpiredError: jwt expired at ${expiredAt}`, [
          { location: '/opt/acme-pos/services/session/node_modules/jsonwebtoken/verify.js:190:21' },
          { fn: 'SessionGuard.verify', location: '/opt/acme-pos/services/session/dist/session-guard.js:41:12' },
          { fn: 'async CheckoutRoutes.tender', location: '/opt/acme-pos/services/checkout/dist/routes.js:212:7' },
        ]),
      };
    },
  },
  {
    name: 'usb-device-blocked',
    code: 'USB_SECURITY_ALERT',
    level: 'ERROR',
    generate: ({ rand }) => {
      const port = `${intBetween(rand, 1, 3)}-1.${intBetween(rand, 1, 4)}`;
      const vid = pick(rand, ['0781', '0951', '090c', '13fe']);
      const pid = hex(rand, 4, false);
      return {
        message: `Unauthorised USB mass storage device blocked on port ${port} (vid ${vid} pid ${pid})`,
        details: { usbPort: port, usbVendorId: vid, usbProductId: pid, deviceSerial: hex(rand, 12), policy: 'deny-mass-storage' },
      };
    },
  },

  // ── performance ──────────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'cpu-overload',
    code: 'CPU_OVERLOAD',
    level: 'ERROR',
    generate: ({ rand }) => {
      const usage = intBetween(rand, 92, 100);
      const load = (intBetween(rand, 550, 1_400) / 100).toFixed(2);
      const pid = intBetween(rand, 900, 40_000);
      return {
        message: `CPU usage ${usage}% for 300s (load average ${load} on 4 cores); top process pos-ui pid ${pid}`,
        details: { cpuPercent: usage, windowSeconds: 300, loadAverage: Number(load), cores: 4, topProcess: 'pos-ui', pid },
      };
    },
  },
  {
    name: 'disk-space-critical',
    code: 'DISK_FULL',
    level: 'ERROR',
    generate: ({ rand }) => {
      const freeMb = intBetween(rand, 40, 900);
      const usedPct = (100 - (freeMb / 65_536) * 100).toFixed(1);
      return {
        message: `Disk space critical on /var/lib/pos: ${freeMb}MB free of 64GB (${usedPct}% used)`,
        details: { mount: '/var/lib/pos', freeMb, totalGb: 64, usedPercent: Number(usedPct), largestDir: '/var/lib/pos/journal' },
      };
    },
  },
  {
    name: 'memory-leak-detected',
    code: 'MEMORY_LEAK',
    level: 'ERROR',
    generate: ({ rand }) => {
      const fromMb = intBetween(rand, 300, 500);
      const toMb = intBetween(rand, 1_500, 2_000);
      const hours = intBetween(rand, 3, 12);
      return {
        message: `Heap usage of pos-ui grew from ${fromMb}MB to ${toMb}MB over ${hours}h without release; last GC pause ${intBetween(rand, 800, 4_000)}ms`,
        details: { process: 'pos-ui', heapStartMb: fromMb, heapNowMb: toMb, hours, heapLimitMb: 2_048, pid: intBetween(rand, 900, 40_000) },
      };
    },
  },
  {
    name: 'slow-query',
    code: 'SLOW_QUERY_DETECTED',
    level: 'WARN',
    generate: ({ rand }) => {
      const durationMs = intBetween(rand, 700, 9_000);
      const rows = intBetween(rand, 400_000, 4_000_000);
      return {
        message: `Slow query ${durationMs}ms (threshold 500ms): SELECT * FROM sales_lines WHERE sku = $1 AND sold_at > $2; sequential scan over ${rows} rows`,
        details: { durationMs, thresholdMs: 500, rowsScanned: rows, table: 'sales_lines', missingIndex: 'sales_lines(sku, sold_at)' },
      };
    },
  },
  {
    name: 'ui-thread-blocked',
    code: 'UI_FREEZE',
    level: 'WARN',
    generate: ({ rand }) => {
      const blockedMs = intBetween(rand, 1_200, 8_000);
      const lines = intBetween(rand, 40, 200);
      return {
        message: `UI thread blocked for ${blockedMs}ms in renderCart with ${lines} lines; ${intBetween(rand, 1, 30)} input events dropped`,
        details: { blockedMs, cartLines: lines, component: 'renderCart' },
      };
    },
  },

  // ── data ─────────────────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'price-sync-failure',
    code: 'PRICE_SYNC_FAILED',
    level: 'ERROR',
    generate: ({ rand }) => {
      const batch = intBetween(rand, 1, 400);
      const pending = intBetween(rand, 100, 9_000);
      return {
        message: `Price sync from HQ failed after 3 attempts: 502 Bad Gateway fetching batch ${batch} (${pending} price changes pending)`,
        details: { batch, attempts: 3, httpStatus: 502, pendingChanges: pending, host: HQ },
        stack: pythonTraceback(
          [
            { file: '/opt/acme-pos/sync/price_sync.py', line: 142, fn: 'run', source: 'changes = self.client.fetch_changes(batch=batch)' },
            { file: '/opt/acme-pos/sync/hq_client.py', line: 77, fn: 'fetch_changes', source: 'resp.raise_for_status()' },
            { file: '/usr/lib/python3/dist-packages/requests/models.py', line: 1021, fn: 'raise_for_status', source: 'raise HTTPError(http_error_msg, response=self)' },
          ],
          `requests.exceptions.HTTPError: 502 Server Error: Bad Gateway for url: https://${HQ}/api/prices/changes?batch=${batch}`,
        ),
      };
    },
  },
  {
    name: 'customer-profile-corrupt',
    code: 'PROFILE_LOAD_ERROR',
    level: 'WARN',
    generate: ({ rand }) => {
      const customer = `C-${digits(rand, 8)}`;
      const position = intBetween(rand, 10, 4_000);
      return {
        message: `Customer profile ${customer} could not be loaded: invalid JSON at position ${position}`,
        details: { customerId: customer, position, cacheFile: `/var/lib/pos/profiles/${customer}.json` },
        stack: nodeStack(`SyntaxError: Unexpected token '\\u0000', "{"id":"${customer}"... is not valid JSON`, [
          { fn: 'JSON.parse', location: '<anonymous>' },
          { fn: 'ProfileCache.load', location: '/opt/acme-pos/services/customers/dist/profile-cache.js:52:23' },
          { fn: 'async CustomerLookup.byLoyaltyCard', location: '/opt/acme-pos/services/customers/dist/lookup.js:31:19' },
        ]),
      };
    },
  },
  {
    name: 'inventory-sync-conflict',
    code: 'SYNC_CONFLICT',
    level: 'WARN',
    generate: ({ rand }) => {
      const id = sku(rand);
      const localVersion = intBetween(rand, 50, 500);
      const hqVersion = localVersion + intBetween(rand, 1, 5);
      return {
        message: `Inventory sync conflict for SKU ${id}: local version ${localVersion} (qty ${intBetween(rand, 0, 40)}) vs HQ version ${hqVersion} (qty ${intBetween(rand, 0, 40)}); HQ value kept`,
        details: { productId: id, localVersion, hqVersion, resolution: 'hq-wins' },
      };
    },
  },
  {
    name: 'tax-table-missing',
    code: 'TAX_TABLE_MISSING',
    level: 'FATAL',
    generate: ({ rand, now }) => {
      const jurisdiction = padded(intBetween(rand, 1, 9999), 4);
      const quarter = `${now.getUTCFullYear()}Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
      const path = `/var/lib/pos/tax/rates-${quarter}.dat`;
      return {
        message: `Tax rate table for jurisdiction ${jurisdiction} missing from ${path}; sales suspended`,
        details: { jurisdiction, path, quarter },
        stack: javaStack(
          'com.acme.pos.tax.TaxTableMissingException',
          `no rates for jurisdiction ${jurisdiction}`,
          [
            { method: 'com.acme.pos.tax.LocalTaxTable.ratesFor', file: 'LocalTaxTable.java', line: 64 },
            { method: 'com.acme.pos.tax.LocalTaxCalculator.calculate', file: 'LocalTaxCalculator.java', line: 39 },
            { method: 'com.acme.pos.basket.TotalsService.recalculate', file: 'TotalsService.java', line: 91 },
          ],
          [
            {
              exception: 'java.nio.file.NoSuchFileException',
              message: path,
              frames: [{ method: 'java.base/sun.nio.fs.UnixException.translateToIOException', file: 'UnixException.java', line: 92 }],
              more: 3,
            },
          ],
        ),
      };
    },
  },

  // ── system ───────────────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'operator-account-locked',
    code: 'ACCOUNT_LOCKED',
    level: 'WARN',
    generate: ({ rand }) => {
      const operator = operatorId(rand);
      return {
        message: `Operator account ${operator} locked after 5 failed logins within 300s`,
        details: { operatorId: operator, failedLogins: 5, windowSeconds: 300, unlockAfterMinutes: 30 },
      };
    },
  },
  {
    name: 'config-mismatch',
    code: 'CONFIG_MISMATCH',
    level: 'WARN',
    generate: ({ rand }) => {
      const local = intBetween(rand, 30, 80);
      const hq = local + intBetween(rand, 1, 4);
      return {
        message: `Register configuration version ${local} differs from HQ version ${hq} (checksum ${hex(rand, 8, false)} vs ${hex(rand, 8, false)})`,
        details: { localVersion: local, hqVersion: hq, profile: 'register-standard' },
      };
    },
  },
  {
    name: 'disk-write-denied',
    code: 'DISK_WRITE_DENIED',
    level: 'ERROR',
    generate: ({ rand }) => {
      const txn = txnId(rand);
      const path = `/var/spool/pos/journal/${txn}.jrn`;
      return {
        message: `Journal write failed: EACCES: permission denied, open '${path}'`,
        details: { path, errno: -13, syscall: 'open', txnId: txn, processUser: 'pos' },
        stack: nodeStack(`Error: EACCES: permission denied, open '${path}'`, [
          { fn: 'async open', location: 'node:internal/fs/promises:639:25' },
          { fn: 'async writeFile', location: 'node:internal/fs/promises:1212:14' },
          { fn: 'async Journal.append', location: '/opt/acme-pos/services/journal/dist/journal.js:47:5' },
        ]),
      };
    },
  },
  {
    name: 'peripheral-driver-crash',
    code: 'DRIVER_SERVICE_STOPPED',
    level: 'ERROR',
    generate: ({ rand }) => {
      const restarts = intBetween(rand, 2, 6);
      const pid = intBetween(rand, 900, 40_000);
      return {
        message: `OPOS POSPrinter service pid ${pid} exited with code 0xC0000005; ${restarts} restarts in last 600s`,
        details: { service: 'OPOS POSPrinter', pid, exitCode: '0xC0000005', restarts, windowSeconds: 600 },
      };
    },
  },
  {
    name: 'font-render-failure',
    code: 'FONT_RENDER_FAIL',
    level: 'WARN',
    generate: ({ rand }) => {
      const glyphs = intBetween(rand, 2, 60);
      return {
        message: `Failed to rasterise ${glyphs} glyphs with NotoSans-Regular.ttf at 18px; falling back to bitmap font`,
        details: { font: 'NotoSans-Regular.ttf', sizePx: 18, failedGlyphs: glyphs, firstCodePoint: `U+${hex(rand, 4)}` },
      };
    },
  },
  {
    name: 'license-expired',
    code: 'LICENSE_EXPIRED',
    level: 'FATAL',
    generate: ({ rand, now }) => {
      const license = `LIC-${hex(rand, 4)}-${hex(rand, 4)}`;
      const expiredOn = isoDate(daysBefore(now, intBetween(rand, 3, 20)));
      return {
        message: `POS license ${license} expired on ${expiredOn}; checkout disabled after 72h grace period`,
        details: { licenseId: license, expiredOn, graceHours: 72, edition: 'register-pro' },
      };
    },
  },
  {
    name: 'printer-overheat',
    code: 'PRINTER_OVERHEAT',
    level: 'WARN',
    generate: ({ rand }) => {
      const tempC = intBetween(rand, 61, 78);
      const pauseSeconds = intBetween(rand, 20, 90);
      return {
        message: `Thermal print head temperature ${tempC}C exceeds 60C limit; printing paused for ${pauseSeconds}s`,
        details: { headTempC: tempC, limitC: 60, pauseSeconds, printerModel: 'TM-T88VI' },
      };
    },
  },
  {
    name: 'time-sync-error',
    code: 'TIME_SYNC_ERROR',
    level: 'WARN',
    generate: ({ rand }) => {
      const offsetMs = intBetween(rand, 1_100, 95_000);
      const server = `10.0.0.${intBetween(rand, 1, 3)}`;
      return {
        message: `Clock offset ${offsetMs}ms from NTP server ${server} exceeds 1000ms; transaction timestamps unreliable`,
        details: { offsetMs, ntpServer: server, maxOffsetMs: 1_000, stratum: intBetween(rand, 2, 4) },
      };
    },
  },
  {
    name: 'version-mismatch',
    code: 'VERSION_MISMATCH',
    level: 'FATAL',
    generate: ({ rand }) => {
      const client = `4.${intBetween(rand, 8, 13)}.${intBetween(rand, 0, 9)}`;
      const server = `5.${intBetween(rand, 0, 3)}.${intBetween(rand, 0, 9)}`;
      return {
        message: `Register software ${client} is incompatible with store server API ${server} (minimum client 4.14.0); register blocked`,
        details: { clientVersion: client, serverVersion: server, minimumClient: '4.14.0' },
        stack: javaStack(
          'com.acme.pos.bootstrap.IncompatibleVersionException',
          `client ${client} < required 4.14.0`,
          [
            { method: 'com.acme.pos.bootstrap.VersionHandshake.verify', file: 'VersionHandshake.java', line: 58 },
            { method: 'com.acme.pos.bootstrap.RegisterBootstrap.connect', file: 'RegisterBootstrap.java', line: 121 },
            { method: 'com.acme.pos.Main.main', file: 'Main.java', line: 34 },
          ],
        ),
      };
    },
  },
];

function resolve(definition: ScenarioDefinition): Scenario {
  const known = knownCode(definition.code);
  if (known === undefined) throw new Error(`Scenario ${definition.name} uses code ${definition.code}, which is not in the catalogue`);
  return { ...definition, title: definition.title ?? known.title };
}

export const SCENARIOS: readonly Scenario[] = definitions.map(resolve);

const byName = new Map(SCENARIOS.map((scenario) => [scenario.name, scenario]));

export function findScenario(name: string): Scenario | undefined {
  return byName.get(name);
}

export function summarizeScenario(scenario: Scenario): ScenarioSummary {
  const known = knownCode(scenario.code);
  // resolve() already guaranteed the code is known; this keeps the type honest without a cast.
  if (known === undefined) throw new Error(`Unknown code ${scenario.code}`);
  return { name: scenario.name, code: scenario.code, title: scenario.title, category: known.category, severity: known.severity };
}

/** The one log record a scenario occurrence produces: common ids first, so every record reads the same way. */
export function scenarioRecord(scenario: Scenario, ctx: ScenarioContext): LogRecord {
  const output = scenario.generate(ctx);
  const details: Record<string, unknown> = { code: scenario.code, storeId: ctx.storeId, kioskId: ctx.kioskId, orderId: ctx.orderId };
  for (const [key, value] of Object.entries(output.details)) {
    if (!(key in details)) details[key] = value;
  }
  return {
    timestamp: ctx.now,
    level: scenario.level,
    message: output.message,
    details,
    ...(output.stack === undefined ? {} : { stack: output.stack }),
  };
}
