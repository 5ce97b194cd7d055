// What an experienced retail POS on-call engineer knows about each failure: the usual cause, what to look at first,
// how to fix it and who owns it. One entry per catalogue code (a test enforces it), a table for the codes the
// classifier derives from exception types and keywords, per-category fallbacks, and a generic last resort.
// `signals` are patterns that, found in an incident's sample lines, corroborate the entry's cause; they raise the
// built-in analyzer's confidence. They run on bounded text and have no nested quantifiers.
import { CATEGORIES, KNOWN_CODES, type Category } from '../catalog.js';

export interface KnowledgeEntry {
  readonly likelyCause: string;
  readonly checks: readonly string[];
  readonly fixSteps: readonly string[];
  /** the component or team that owns the fix */
  readonly owner: string;
  readonly references?: readonly string[];
  readonly signals: readonly RegExp[];
}

const OWNER = {
  gateway: 'payments gateway integration',
  terminals: 'payment terminals (PIN pad) support',
  risk: 'payments risk & fraud',
  pricing: 'pricing & catalog data',
  inventory: 'inventory management',
  network: 'store network',
  storeDb: 'store database',
  drivers: 'peripheral drivers',
  fieldService: 'store hardware field service',
  platform: 'POS platform (register software)',
  registerOs: 'store infrastructure (register OS)',
  integrations: 'integration services',
  tax: 'tax compliance',
  finance: 'finance systems integration',
  kitchen: 'kitchen systems',
  loyalty: 'loyalty platform',
  access: 'store security & access',
  infosec: 'information security (PCI)',
  release: 'release management',
  cloud: 'HQ cloud platform',
} as const;

export const KNOWLEDGE_BASE: Readonly<Record<string, KnowledgeEntry>> = {
  // ── payment ────────────────────────────────────────────────────────────────────────────────────────────────────
  PAYMENT_TIMEOUT: {
    likelyCause:
      'The payment gateway did not answer the authorization within the client timeout: either the gateway/acquirer is slow, or the store path to it (WAN, proxy, TLS inspection) is delaying traffic. A late approval can still settle, so a customer may be charged for a sale the till abandoned.',
    checks: [
      'Check whether other stores time out against the same gateway at the same time (fleet-wide points to the gateway, one store to its network)',
      'Compare elapsed time with the configured timeout in the samples: always just over the limit means a slow gateway, not an unreachable one',
      'Measure connect and first-byte times from an affected register to the gateway host on 443 (curl -w time_connect/time_starttransfer)',
      'Look the timed-out transaction ids up in the gateway portal to see whether any were approved after the till gave up',
    ],
    fixSteps: [
      'Reverse or void timed-out transactions the gateway approved, so no customer is charged twice',
      'Enable store-and-forward (offline) tender within the floor limit for affected stores until the gateway recovers',
      'Open a case with the gateway/acquirer with the transaction ids, timestamps and elapsed times',
    ],
    owner: OWNER.gateway,
    references: ['ISO 8583 reversal advice (MTI 0400) for timed-out authorizations'],
    signals: [/SocketTimeoutException|ETIMEDOUT|Read timed out/i, /time(?:d)? ?out/i],
  },
  CARD_DECLINED_NSF: {
    likelyCause:
      'The issuer declined with response code 51 (insufficient funds): a customer-side decline, not a system fault. It only needs attention when the decline rate jumps, which usually means amounts are being sent wrong (currency exponent, tip added twice) or a BIN range is mis-routed.',
    checks: [
      'Compare the decline rate with the same hour last week for the affected stores and card brands',
      'Check the amounts in the samples against the basket totals: a factor of 100 points to a currency-exponent bug after a release',
      'Check whether declines cluster on one card brand or BIN range (routing table change at the gateway)',
    ],
    fixSteps: [
      'If the rate is normal, treat as expected behaviour and lower the alert severity for this code',
      'If amounts are wrong, roll back the release that changed tender amount formatting',
      'If one BIN range is affected, ask the gateway to check its routing for that range',
    ],
    owner: OWNER.gateway,
    references: ['ISO 8583 field 39 response code 51 (insufficient funds)'],
    signals: [/insufficient funds|response ?code"?[ :=]*"?51\b/i],
  },
  CONTACTLESS_FAILED: {
    likelyCause:
      'The contactless kernel on the PIN pad rejected the tap (status word 6985, conditions of use not satisfied) and fell back to insert: typically an outdated contactless kernel or CVM limit configuration, or a card that requires chip-and-PIN above the contactless limit.',
    checks: [
      'Check whether the failures are limited to one terminal model or firmware version',
      'Compare the amounts with the contactless CVM limit configured for the terminal profile',
      'Check whether the terminal parameter download (TMS) completed after the last limit or kernel change',
    ],
    fixSteps: [
      'Push the current terminal parameter set (contactless limits, kernel config) from the TMS and reboot the PIN pad',
      'Upgrade terminals on an old contactless kernel to the certified version',
      'Tell store staff to ask for insert/PIN while the terminal is being fixed',
    ],
    owner: OWNER.terminals,
    references: ['EMV Contactless Book C-2 (Mastercard kernel)', 'ISO 7816-4 status word 6985'],
    signals: [/\bSW 6985\b|kernel C-\d returned|insert card requested/i],
  },
  DCC_SERVICE_UNAVAILABLE: {
    likelyCause:
      'The dynamic currency conversion rate service did not return a rate, so the till charged in local currency. Sales still complete; the loss is DCC commission and a customer who may have wanted their own currency.',
    checks: [
      'Check the DCC provider status and whether the rate endpoint answers from the store network',
      'Check whether the daily rate file/table was refreshed (stale rates are rejected by the provider)',
      'Check the HTTP status and latency in the samples for a pattern (all 503 → provider outage; timeouts → network)',
    ],
    fixSteps: [
      'Nothing to reverse: transactions were correctly charged in local currency',
      'Raise a ticket with the DCC provider if the service stays unavailable for more than 15 minutes',
      'If rates are stale, rerun the rate download job and confirm the table date',
    ],
    owner: OWNER.gateway,
    signals: [/rate (?:service|lookup) (?:failed|returned|unavailable)|\bHTTP 50[234]\b/i],
  },
  DUPLICATE_CHARGE: {
    likelyCause:
      'The same order was captured twice, usually because the till retried a capture after a timeout without an idempotency key, or two tender requests raced (double tap on Pay, reconnect replaying a queued request).',
    checks: [
      'Confirm both transaction ids in the gateway portal and whether both are in the same settlement batch',
      'Check the logs just before the first capture for a timeout, reconnect or offline-queue replay',
      'Check whether the tender service sends an idempotency key (order id) on capture retries',
    ],
    fixSteps: [
      'Refund or void the duplicate capture before the batch settles (or refund it after settlement)',
      'Send the order id as the idempotency key on capture and make retries reuse it',
      'Disable the Pay button after the first press until the tender result arrives',
    ],
    owner: OWNER.gateway,
    references: ['Card scheme rules on duplicate processing chargebacks (e.g. Visa reason code 12.6.1)'],
    signals: [/duplicate (?:capture|charge|transaction)|both settled/i],
  },
  EMV_READ_ERROR: {
    likelyCause:
      'The PIN pad could not select an application on the chip (SW 6A82, file or application not found): a dirty or worn chip reader contact, a card whose AID is not in the terminal AID list, or terminal firmware missing a scheme AID.',
    checks: [
      'Check whether failures are concentrated on one PIN pad (reader hardware) or spread across many (AID list/firmware)',
      'Compare the AIDs in the samples with the terminal AID list pushed by the TMS',
      'Check the PIN pad firmware version against the current certified version',
    ],
    fixSteps: [
      'Clean the chip reader with a cleaning card and retest; swap the PIN pad if errors continue',
      'Push the current AID list/terminal parameters from the TMS',
      'Upgrade firmware on PIN pads running an old build',
    ],
    owner: OWNER.terminals,
    references: ['EMV Book 1 application selection', 'ISO 7816-4 status word 6A82'],
    signals: [/\bSW 6A8[12]\b|\bAPDU\b|chip read/i],
  },
  SPLIT_PAYMENT_ERROR: {
    likelyCause:
      'A split tender failed on a later leg after earlier legs were approved, leaving a partially paid order: the card leg was declined or voided and the coordinator could not roll the whole tender back.',
    checks: [
      'Check the failed leg’s decline reason in the nested exception (issuer decline vs. system error)',
      'Check that the earlier legs (e.g. gift card) were kept or reversed as the receipt shows',
      'Look for orders left with a balance due that were never closed',
    ],
    fixSteps: [
      'Reconcile affected orders: collect the balance or reverse the kept legs',
      'Make the split tender coordinator reverse approved legs when a later leg fails and the customer abandons',
    ],
    owner: OWNER.gateway,
    signals: [/split tender|SplitTenderException|\bleg \d+ of \d+/i],
  },
  WALLET_HANDSHAKE_FAIL: {
    likelyCause:
      'The NFC wallet tap was aborted because the payment cryptogram failed validation: usually a terminal with outdated wallet/contactless kernel certificates, or the phone moved away before the handshake completed.',
    checks: [
      'Check whether failures are specific to one wallet (Apple Pay, Google Pay, Samsung Pay) or one terminal model',
      'Check the terminal’s contactless CA public keys were updated at the last scheme key rotation',
      'Check handshake times in the samples: aborted after a few hundred ms suggests the tap was too short',
    ],
    fixSteps: [
      'Push the current CA public keys and contactless parameters from the TMS',
      'Upgrade the affected terminal firmware',
      'Ask the customer to hold the phone on the reader until it confirms, or use the physical card',
    ],
    owner: OWNER.terminals,
    signals: [/cryptogram|wallet handshake|apple_pay|google_pay|samsung_pay/i],
  },
  PAYMENT_DECLINED_FRAUD: {
    likelyCause:
      'The gateway’s fraud screening declined the authorization because the risk score exceeded the threshold. Mostly legitimate protection; a sudden rise usually follows a rule or threshold change at the fraud provider.',
    checks: [
      'Compare the decline rate and risk scores with the previous week for the same stores',
      'Ask the fraud team whether rules or the threshold changed recently',
      'Check whether declines concentrate on one store or operator (possible real fraud attempt)',
    ],
    fixSteps: [
      'If a rule change over-blocks, have the fraud provider roll it back or tune the threshold',
      'If the pattern is real fraud, alert loss prevention for the store',
    ],
    owner: OWNER.risk,
    signals: [/fraud screening|risk score|riskScore/i],
  },

  // ── inventory ──────────────────────────────────────────────────────────────────────────────────────────────────
  MISSING_PRICE: {
    likelyCause:
      'The product exists in the item file but has no price in the active price book, so the till rejects the sale: usually a new item published before its price, or a price change that expired without a replacement.',
    checks: [
      'Look the product id up in the active price book at HQ and in the store’s local copy',
      'Check whether the last price book publish to the affected stores completed',
      'Check whether the item was created or its price end-dated recently',
    ],
    fixSteps: [
      'Add or restore the price in the price book and publish to the affected stores',
      'Trigger a price sync on the affected registers and retry the sale',
      'Add a publish-time check that rejects items without an active price',
    ],
    owner: OWNER.pricing,
    signals: [/has no price|no price in|price book/i],
  },
  BARCODE_NOT_FOUND: {
    likelyCause:
      'The scanned barcode is not in the store item file: a new product whose item record has not reached the store yet, a supplier barcode not linked to the SKU, or a stale item file on the register.',
    checks: [
      'Look the barcode up in the HQ item master and check its store/range assignment',
      'Compare the register’s item file version with the current published version',
      'Check whether several stores report the same barcode (missing master data) or one store (stale file)',
    ],
    fixSteps: ['Link the barcode to the SKU or create the item in the master data and publish', 'Force an item file refresh on registers with an old version'],
    owner: OWNER.pricing,
    signals: [/not found in (?:the )?(?:store )?item file|item lookup failed|barcode not found/i],
  },
  INVENTORY_MISMATCH: {
    likelyCause:
      'The till blocked the sale because system stock on hand is lower than the quantity being sold, while the goods are physically there: receipts or transfers not booked, or a count that zeroed the stock.',
    checks: [
      'Compare system stock on hand with a physical count of the product in the store',
      'Check for goods receipts or inter-store transfers not yet posted for the product',
      'Check the last stock count and adjustments for the product',
    ],
    fixSteps: [
      'Post the missing receipt or transfer, or correct stock with a counted adjustment',
      'Allow the sale with a supervisor override while the stock record is corrected',
    ],
    owner: OWNER.inventory,
    signals: [/insufficient stock|on hand|onHand/i],
  },
  BUNDLE_DECOMP_FAIL: {
    likelyCause:
      'A bundle SKU references a component that is missing from the bundle definition the register has, so the basket cannot price its components: bundle definitions published out of step with the component items.',
    checks: [
      'Compare the bundle definition version on the register with the current HQ version',
      'Check that every component SKU in the bundle exists and has a price in the store',
      'Check whether the bundle was edited recently',
    ],
    fixSteps: [
      'Republish the bundle definition together with its component items',
      'Temporarily deactivate the bundle so components can be sold individually',
      'Make bundle decomposition fail with a clear message instead of an undefined property',
    ],
    owner: OWNER.pricing,
    signals: [/decomposition failed|missing from bundle definition|Cannot read propert(?:y|ies) of undefined/i],
  },
  DUPLICATE_SERIAL: {
    likelyCause:
      'A serialised item was scanned with a serial number already recorded as sold: a return that was not booked against the serial, a wrong serial captured at the earlier sale, or a genuinely duplicated label.',
    checks: [
      'Look up the earlier receipt for the serial and whether a return was processed',
      'Compare the serial on the device with the one recorded on the earlier sale',
    ],
    fixSteps: [
      'Book the missing return against the earlier receipt, or correct the serial on the earlier sale',
      'If a label is duplicated, quarantine the item and contact the supplier',
    ],
    owner: OWNER.inventory,
    signals: [/already recorded as sold|duplicate serial/i],
  },
  NEGATIVE_STOCK: {
    likelyCause:
      'A sale drove system stock below zero: receipts not posted before selling, sales of the wrong SKU (scan substitution), or an old count that no longer reflects the shelf.',
    checks: [
      'Check pending goods receipts for the product at the store',
      'Check when the product was last counted',
      'Check whether a similar SKU shows the opposite (positive) discrepancy',
    ],
    fixSteps: ['Post pending receipts, then schedule a cycle count for the product', 'Correct stock with a counted adjustment'],
    owner: OWNER.inventory,
    signals: [/went negative|negative stock|stockLevel"?:\s?-\d/i],
  },
  PRICE_NOT_FOUND: {
    likelyCause:
      'The register found no price valid on today’s date in the price book for the SKU: the price’s effective dates do not cover today (expired promotion without a base price) or the new price book has not reached the store.',
    checks: [
      'Check the SKU’s price rows and effective dates in the price book named in the samples',
      'Check whether the store received the price book for the current period',
      'Check whether a promotion ended today for the SKU',
    ],
    fixSteps: ['Add a base price covering today and republish the price book', 'Force a price sync on the affected registers'],
    owner: OWNER.pricing,
    signals: [/PriceNotFoundException|no active price/i],
  },
  RETURN_CONDITION_REJECT: {
    likelyCause:
      'The return policy engine rejected the item because its recorded condition code is not accepted for a refund: usually correct behaviour, or a policy table that does not include a condition the stores use.',
    checks: ['Check the return policy named in the samples for the condition codes it accepts', 'Check whether rejections started after a policy change'],
    fixSteps: ['If the policy is right, no fix: a manager can approve an exception', 'If a condition code is missing from the policy, add it and republish'],
    owner: OWNER.platform,
    signals: [/return policy|condition DMG|return rejected/i],
  },

  // ── network ────────────────────────────────────────────────────────────────────────────────────────────────────
  CLOUD_DEGRADED: {
    likelyCause:
      'The HQ cloud services the registers call are slow or failing: elevated p95 latency and failed requests point to a degraded backend or region rather than one store.',
    checks: [
      'Check the HQ services’ dashboards and the cloud provider health page for the region in the samples',
      'Check whether all stores see the degradation (backend) or only some (their network path)',
      'Look for a deployment to the HQ services just before the degradation started',
    ],
    fixSteps: [
      'Roll back a recent HQ deployment if the timing matches',
      'Fail over to the secondary region if the primary region is impaired',
      'Registers keep selling offline; confirm queued transactions drain once latency recovers',
    ],
    owner: OWNER.cloud,
    signals: [/p95 latency|degraded|requests failed/i],
  },
  DB_CONNECTION_LOST: {
    likelyCause:
      'The register lost its connection to the store database server and could not reconnect: the database service stopped, the store server rebooted, or the LAN between register and server dropped.',
    checks: [
      'Check whether the database service on the store server is running and accepting connections on 5432',
      'Check whether every register in the store lost the connection (server) or only one (its cable/switch port)',
      'Check the store server uptime and system log for a reboot or disk problem at that time',
    ],
    fixSteps: [
      'Restart the database service or the store server and confirm registers reconnect',
      'Replace the cable or switch port if only one register is affected',
      'Check journal integrity after the outage before reopening lanes',
    ],
    owner: OWNER.storeDb,
    signals: [/ECONNREFUSED|lost connection|reconnect attempts|connection (?:reset|closed|refused)/i],
  },
  DNS_RESOLUTION_FAIL: {
    likelyCause:
      'The register could not resolve a service host name: the store resolver (router or domain controller) is down or cannot reach upstream DNS, or the record was removed or changed.',
    checks: [
      'Resolve the host in the samples from an affected register against the store resolver (nslookup host resolver)',
      'Check the store router/DNS forwarder status and its upstream DNS servers',
      'Check whether the DNS record still exists publicly (dig from outside the store)',
    ],
    fixSteps: [
      'Restart or fail over the store resolver; set a secondary resolver on the registers',
      'Restore the DNS record if it was removed',
      'For payments, enable store-and-forward tender until resolution recovers',
    ],
    owner: OWNER.network,
    signals: [/ENOTFOUND|EAI_AGAIN|getaddrinfo|NXDOMAIN|UnknownHost/i],
  },
  RATE_LIMIT_EXCEEDED: {
    likelyCause:
      'A third-party API answered 429 because the fleet exceeded its request quota: usually a retry loop, a batch job competing with till traffic, or a quota not raised for added stores.',
    checks: [
      'Check the request rate to the API in the samples against the quota (requests per minute)',
      'Look for a retry loop or a batch job running at the same time',
      'Check whether the client honours the Retry-After header',
    ],
    fixSteps: [
      'Make clients back off with jitter and honour Retry-After',
      'Move batch jobs out of trading hours or give them their own credentials/quota',
      'Ask the provider to raise the quota for the fleet size',
    ],
    owner: OWNER.integrations,
    references: ['RFC 6585 §4 (429 Too Many Requests)', 'RFC 9110 §10.2.3 (Retry-After)'],
    signals: [/\b429\b|rate limit|retry after|Retry-After|too many requests/i],
  },
  SSL_CERT_EXPIRED: {
    likelyCause:
      'The TLS handshake failed because a certificate in the chain has expired: the server’s certificate was not renewed, or the register trusts an old intermediate and the server still sends it.',
    checks: [
      'Inspect the certificate the host presents (openssl s_client -connect host:443 -showcerts) and its notAfter',
      'Check whether the register clock is correct (a wrong clock makes valid certificates look expired)',
      'Check whether only registers with an old trust store fail',
    ],
    fixSteps: [
      'Renew and deploy the server certificate (and full chain) if it expired',
      'Fix the register clock via NTP if it is wrong',
      'Update the register trust store if it lacks the current intermediate/root',
    ],
    owner: OWNER.network,
    signals: [/certificate has expired|CertificateExpiredException|notAfter|CERT_HAS_EXPIRED/i],
  },
  NETWORK_PARTITION: {
    likelyCause:
      'The store lost all WAN links, so registers are selling offline and queuing transactions: an ISP outage, a failed router/SD-WAN edge, or the backup link not taking over.',
    checks: [
      'Check the store router/SD-WAN edge status and both WAN links in the network management console',
      'Check with the ISP for an outage in the store’s area',
      'Check how many transactions are queued and the store’s offline floor limits',
    ],
    fixSteps: [
      'Fail over to the backup/LTE link, or power-cycle the router with store staff',
      'Dispatch the ISP or field engineer if the links stay down',
      'After recovery, confirm the offline queue drains and no transaction stays unsettled',
    ],
    owner: OWNER.network,
    signals: [/uplink down|WAN links?|queued offline|"reachable"\s?:\s?0/i],
  },

  // ── hardware ───────────────────────────────────────────────────────────────────────────────────────────────────
  BIOMETRIC_READ_FAIL: {
    likelyCause: 'The fingerprint reader returns images below the minimum quality: a dirty or scratched sensor, dry fingers, or a worn reader.',
    checks: [
      'Check whether one reader fails for every operator (hardware) or one operator fails on every reader (enrolment)',
      'Check the quality values in the samples against the minimum',
    ],
    fixSteps: [
      'Clean the sensor and retest; replace the reader if quality stays low',
      'Re-enrol the operator’s fingerprint if only one operator is affected; allow PIN login meanwhile',
    ],
    owner: OWNER.fieldService,
    signals: [/image quality \d+|minimumQuality/i],
  },
  DISPLAY_ERROR: {
    likelyCause:
      'The customer-facing pole display stopped acknowledging writes on its serial port: a loose or unpowered cable, a changed USB-serial device name, or a failed display.',
    checks: ['Check the display’s power and cable at the register', 'Check that the serial device in the samples still exists and matches the configured port'],
    fixSteps: [
      'Reseat the cable or power-cycle the display; fix the configured port if the device name changed',
      'Replace the display if it still does not respond',
    ],
    owner: OWNER.fieldService,
    signals: [/no ACK|not responding/i],
  },
  PRINTER_JAM: {
    likelyCause: 'The receipt printer reports a paper jam: a badly loaded roll, wrong paper width or thickness, or debris in the cutter.',
    checks: [
      'Ask the store to open the printer cover and check the roll and cutter',
      'Check how often this printer jams: repeated jams suggest a worn cutter or wrong paper stock',
    ],
    fixSteps: [
      'Clear the jam, reload the roll correctly and print a test receipt',
      'Reprint the receipt for the order in the samples if the customer needs it',
      'Replace the printer or cutter if jams recur',
    ],
    owner: OWNER.fieldService,
    signals: [/paper jam|status 0x14|printer jam/i],
  },
  SCALE_CALIBRATION_ERR: {
    likelyCause:
      'The checkout scale’s zero point drifted beyond tolerance, so weighed items are blocked: something resting on the platter, a moved or unlevel scale, or calibration overdue.',
    checks: ['Ask the store to clear the platter and check the scale is level', 'Check the date of the last calibration against the legal-metrology interval'],
    fixSteps: [
      'Re-zero the scale; if drift persists, book a certified recalibration',
      'Keep weighed items blocked on that lane until the scale is within tolerance (legal requirement)',
    ],
    owner: OWNER.fieldService,
    references: ['OIML R 76 (non-automatic weighing instruments)'],
    signals: [/zero drift|recalibration|tolerance/i],
  },
  SCANNER_ERROR: {
    likelyCause:
      'The barcode scanner stopped delivering decodes: the USB/HID connection dropped, the scanner lost its configuration, or its daemon hung on the device handle.',
    checks: [
      'Check the scanner is powered and its cable seated; try scanning a test barcode',
      'Check that the device node in the samples still exists on the register',
      'Check the scanner daemon for repeated read timeouts after a USB reset',
    ],
    fixSteps: [
      'Reconnect the scanner and restart the scanner daemon',
      'Re-apply the scanner configuration barcode sheet',
      'Replace the scanner if it still does not decode',
    ],
    owner: OWNER.drivers,
    signals: [/ScannerTimeout|0 decodes|read timeouts|stopped responding/i],
  },
  TOUCHSCREEN_DRIFT: {
    likelyCause:
      'Touch input is offset from the screen image beyond the threshold, so staff mis-tap: calibration drift after a display swap or firmware update, or a damaged touch layer.',
    checks: [
      'Check whether the display or its firmware was changed recently',
      'Check the offsets in the samples: a constant offset means calibration, erratic points mean hardware',
    ],
    fixSteps: ['Run the touchscreen calibration utility on the register', 'Replace the touch panel if drift returns quickly'],
    owner: OWNER.fieldService,
    signals: [/calibration drift|offset dx=|mistaps/i],
  },

  // ── database ───────────────────────────────────────────────────────────────────────────────────────────────────
  CONN_POOL_EXHAUSTED: {
    likelyCause:
      'Every connection in the application’s database pool is busy and requests time out waiting for one: slow queries or a lock holding connections, a connection leak, or a pool too small for the load.',
    checks: [
      'Check active/idle/waiting counts in the samples: active at the maximum with idle 0 means connections are held',
      'Look for long-running queries or locks on the store database at the same time',
      'Check for a recent release that could leak connections (missing close/release)',
    ],
    fixSteps: [
      'Kill long-running queries holding connections and restart the service to recover the pool',
      'Fix the leak or slow query; enable the pool’s leak detection to find the holder',
      'Size the pool to the database’s max_connections across all clients',
    ],
    owner: OWNER.storeDb,
    references: ['HikariCP: About Pool Sizing'],
    signals: [/Connection is not available|SQLTransientConnectionException|idle=0|pool (?:is )?exhausted|too many connections/i],
  },
  DATA_CORRUPTION: {
    likelyCause:
      'A page of the local transaction journal failed its checksum: an unclean power loss during a write, a failing disk, or a filesystem without write barriers. Transactions on that page may be lost.',
    checks: [
      'Check the register for recent power losses or hard resets',
      'Check the disk SMART status and the kernel log for I/O errors',
      'Identify the transactions on the affected page and whether they reached HQ',
    ],
    fixSteps: [
      'Take the register out of service; restore the journal from the last good backup or HQ',
      'Reconcile the affected transactions against the payment gateway',
      'Replace the disk if it reports errors; check the UPS on that lane',
    ],
    owner: OWNER.storeDb,
    signals: [/checksum mismatch|corrupt|SQLITE_CORRUPT/i],
  },
  DB_DEADLOCK: {
    likelyCause:
      'Two transactions locked the same rows in opposite order and the database aborted one (SQLSTATE 40P01): typically concurrent order saves updating stock levels in different orders.',
    checks: [
      'Check the database log for the deadlock details (both statements and the tables involved)',
      'Check whether deadlocks started with a release that changed the order of updates',
      'Check how often the aborted transaction is retried successfully',
    ],
    fixSteps: [
      'Update rows in a consistent order (e.g. sort stock rows by SKU before updating)',
      'Retry the aborted transaction with backoff in the order service',
    ],
    owner: OWNER.storeDb,
    references: ['PostgreSQL SQLSTATE 40P01 (deadlock_detected)'],
    signals: [/deadlock|40P01|ShareLock/i],
  },
  DB_MIGRATION_FAILED: {
    likelyCause:
      'A schema migration on the store database failed part-way, typically because the database is not at the revision the migration expects (a column already exists from a partial earlier run or a manual change).',
    checks: [
      'Check the migration revision recorded in the database against the schema actually present',
      'Check whether an earlier run of the same migration was interrupted',
      'Check whether other stores on the same release ran the migration cleanly',
    ],
    fixSteps: [
      'Make the migration idempotent (IF NOT EXISTS) and rerun it',
      'Or stamp the database to the right revision after verifying the schema, then continue',
      'Hold the rollout to other stores until the migration is fixed',
    ],
    owner: OWNER.release,
    signals: [/migration \S+ failed|alembic|DuplicateColumn|already exists|42701/i],
  },

  // ── integration ────────────────────────────────────────────────────────────────────────────────────────────────
  EMAIL_SERVICE_DOWN: {
    likelyCause: 'The SMTP relay answers 421 (service not available, try again later), so e-mail receipts are queued: the relay is throttling or down.',
    checks: ['Check the relay provider status and sending quota', 'Check the size and age of the local receipt queue'],
    fixSteps: ['Let the queue retry with backoff; switch to the secondary relay if the outage is long', 'Offer printed receipts meanwhile'],
    owner: OWNER.integrations,
    references: ['RFC 5321 §4.2.3 (421 reply code)'],
    signals: [/\b421\b|try again later/i],
  },
  ERP_SYNC_FAIL: {
    likelyCause:
      'The accounting system rejected the journal export batch because debits and credits do not balance: a rounding difference, a missing line (e.g. tax or tips) or a mapping gap for a new tender or GL account.',
    checks: [
      'Compare debit and credit totals in the samples to find the difference',
      'Check the batch for a tender type or GL account without a mapping',
      'Check whether the failing batches started after a new tender or tax rate was added',
    ],
    fixSteps: ['Fix the mapping or rounding, then re-export the rejected batch', 'Post a manual balancing entry only with finance approval'],
    owner: OWNER.finance,
    signals: [/unbalanced entry|journal export|400 Client Error/i],
  },
  GIFT_CARD_ERROR: {
    likelyCause: 'The gift card processor answered 96 (system malfunction): a processor-side outage, or a network problem between the store and the processor.',
    checks: ['Check the gift card processor status page', 'Check whether all stores are affected at once (processor) or only some (their network)'],
    fixSteps: ['Escalate to the processor with transaction ids and times', 'Offer other tenders until the processor recovers; do not reissue cards'],
    owner: OWNER.gateway,
    references: ['ISO 8583 field 39 response code 96 (system malfunction)'],
    signals: [/system malfunction|"responseCode"\s?:\s?"96"|balance inquiry failed/i],
  },
  KDS_TIMEOUT: {
    likelyCause:
      'The kitchen display did not acknowledge the order within the timeout: the KDS station is offline, frozen, or on a different network segment than the register.',
    checks: [
      'Check the KDS station in the samples is powered and shows orders',
      'Ping the KDS address and port from the register',
      'Check for orders that reached the kitchen twice after retries',
    ],
    fixSteps: [
      'Restart the KDS station or its app; route orders to the backup printer meanwhile',
      'Fix the network (cable, switch port, VLAN) if the station is unreachable',
    ],
    owner: OWNER.kitchen,
    signals: [/not acknowledged|:9100\b/i],
  },
  LOYALTY_API_DOWN: {
    likelyCause: 'The loyalty platform API returns 503, so points accrual is deferred: a loyalty platform outage or maintenance window.',
    checks: ['Check the loyalty platform status and maintenance calendar', 'Check that deferred accruals are queued for replay'],
    fixSteps: ['Wait for recovery and confirm the deferred accruals replay', 'Escalate to the loyalty platform if the outage exceeds its SLA'],
    owner: OWNER.loyalty,
    signals: [/\b503\b|Service Unavailable|LoyaltyUnavailableError/i],
  },
  TAX_CALC_ERROR: {
    likelyCause:
      'The tax calculation service failed with HTTP 500 for the order: a service-side fault, often on a jurisdiction or product tax code it does not handle.',
    checks: [
      'Check the tax service logs for the request id in the samples',
      'Check whether failures are limited to one jurisdiction or product tax code',
      'Check for a recent tax service deployment or rate update',
    ],
    fixSteps: [
      'Roll back the tax service change if the timing matches',
      'Fix the missing jurisdiction/tax code mapping; use the local fallback tax table meanwhile',
    ],
    owner: OWNER.tax,
    signals: [/TaxServiceException|returned 500|HTTP 500/i],
  },

  // ── security ───────────────────────────────────────────────────────────────────────────────────────────────────
  AUTH_FAILED: {
    likelyCause: 'Operator PIN logins are failing: mistyped PINs, a PIN reset not synced to the register, or someone guessing PINs.',
    checks: [
      'Check whether failures are spread over many operators (sync problem) or repeated for one (mistyping or guessing)',
      'Check the last user sync from HQ to the register',
    ],
    fixSteps: ['Resync users to the register if recent PIN changes are missing', 'Reset the operator’s PIN; involve loss prevention if guessing is suspected'],
    owner: OWNER.access,
    signals: [/invalid PIN|login failed|invalid credentials/i],
  },
  AUTH_LIMIT_EXCEEDED: {
    likelyCause:
      'An operator attempted a refund above their role limit without a manager override: either a process gap (manager not called) or an attempted unauthorised refund.',
    checks: ['Review the receipt and refund in the samples with the store manager', 'Check how often this operator hits the limit'],
    fixSteps: ['Have a manager approve or cancel the refund', 'Escalate to loss prevention if the pattern repeats'],
    owner: OWNER.access,
    signals: [/exceeds role limit|without manager override/i],
  },
  FRAUD_ALERT: {
    likelyCause: 'A velocity rule fired: many card attempts with several distinct cards in a short window on one register, a typical card-testing pattern.',
    checks: [
      'Review the register’s transactions and CCTV for the window in the samples',
      'Check whether the attempts were declined and with which response codes',
    ],
    fixSteps: ['Alert loss prevention and the store manager', 'Report the card numbers (truncated) to the acquirer’s fraud team if card testing is confirmed'],
    owner: OWNER.risk,
    signals: [/velocity rule|distinct cards/i],
  },
  PCI_VIOLATION: {
    likelyCause:
      'A PAN scanner found an unmasked card number in a file on the register: debug logging left on, or a component logging raw card data. This is a PCI DSS incident.',
    checks: [
      'Identify which process wrote the file in the samples and whether debug logging is enabled',
      'Check whether the file was shipped or backed up anywhere before quarantine',
    ],
    fixSteps: [
      'Turn off debug logging and securely delete the quarantined file after the security team reviews it',
      'Fix the component to log only truncated PANs',
      'Follow the PCI incident response procedure (notify information security)',
    ],
    owner: OWNER.infosec,
    references: ['PCI DSS v4.0.1 Req. 3.4.1 (PAN display) and 3.5.1 (PAN unreadable at rest)'],
    signals: [/unmasked PAN|PCI DSS scan|quarantined/i],
  },
  SESSION_EXPIRED: {
    likelyCause:
      'The operator’s session token expired in the middle of a transaction because the shift outlasted the token lifetime and the register does not refresh it.',
    checks: ['Check the token age and maximum in the samples', 'Check whether the register refreshes tokens while a transaction is open'],
    fixSteps: ['Refresh the session silently before expiry while a transaction is open', 'Have the operator re-authenticate to finish the transaction'],
    owner: OWNER.platform,
    signals: [/TokenExpiredError|jwt expired|session expired/i],
  },
  USB_SECURITY_ALERT: {
    likelyCause:
      'A USB mass storage device was plugged into the register and blocked by the device policy: staff charging a phone or copying files, or a tampering attempt.',
    checks: ['Check CCTV and who was on the register at the time', 'Check the device vendor/product ids in the samples'],
    fixSteps: ['Remind staff of the USB policy', 'Escalate to security and inspect the register for tampering if unexplained'],
    owner: OWNER.infosec,
    signals: [/mass storage|deny-mass-storage|unauthori[sz]ed USB/i],
  },

  // ── performance ────────────────────────────────────────────────────────────────────────────────────────────────
  CPU_OVERLOAD: {
    likelyCause:
      'The register CPU has been saturated for minutes, making the till slow: a runaway process (often the POS UI), a background job (antivirus scan, update) during trading hours, or underpowered hardware.',
    checks: ['Check the top process in the samples and its CPU over time', 'Check for scheduled scans or updates running at that time'],
    fixSteps: ['Restart the runaway process between transactions', 'Move scans and updates outside trading hours'],
    owner: OWNER.platform,
    signals: [/CPU usage \d+%|load average|cpuPercent/i],
  },
  DISK_FULL: {
    likelyCause: 'The register data partition is almost full: logs or journal files not rotated, or an old update cache left behind. Writes will fail soon.',
    checks: ['Check the largest directories on the mount in the samples', 'Check that log rotation and journal archival jobs are running'],
    fixSteps: ['Archive or delete old journals and logs that have reached HQ', 'Fix log rotation/archival so it does not recur'],
    owner: OWNER.registerOs,
    signals: [/MB free|ENOSPC|no space left|disk space critical/i],
  },
  MEMORY_LEAK: {
    likelyCause:
      'The POS UI heap keeps growing without being released, with long GC pauses: a memory leak in the current release (listeners or caches that never shrink).',
    checks: ['Check heap growth and uptime in the samples; compare with the previous release', 'Take a heap snapshot on an affected register'],
    fixSteps: ['Restart the POS UI at a quiet moment to recover', 'Schedule a nightly restart until the leak is fixed; fix the leak from the heap snapshot'],
    owner: OWNER.platform,
    signals: [/grew from \d+ ?MB|GC pause|heapNowMb/i],
  },
  SLOW_QUERY_DETECTED: {
    likelyCause: 'A query takes seconds because it scans the whole table: a missing index for the query’s filter columns, usually after the table grew.',
    checks: ['Run EXPLAIN on the query in the samples', 'Check the table size and existing indexes'],
    fixSteps: ['Create the missing index (concurrently, outside trading hours)', 'Archive old rows if the table keeps growing'],
    owner: OWNER.storeDb,
    signals: [/sequential scan|slow query|missingIndex/i],
  },
  UI_FREEZE: {
    likelyCause:
      'The UI thread is blocked for seconds while rendering a large basket, so input events are dropped: synchronous work on the UI thread that scales with the number of lines.',
    checks: ['Check the blocked time versus basket size in the samples', 'Check whether it started with a release'],
    fixSteps: ['Move the heavy work off the UI thread or virtualise the cart list', 'Roll back if a release introduced it'],
    owner: OWNER.platform,
    signals: [/UI thread blocked|input events dropped/i],
  },

  // ── data ───────────────────────────────────────────────────────────────────────────────────────────────────────
  PRICE_SYNC_FAILED: {
    likelyCause:
      'The store could not download price changes from HQ (HTTP 5xx from the HQ API), so registers sell at old prices until the next successful sync.',
    checks: ['Check the HQ price API health and the error in the samples', 'Check how many price changes are pending and whether promotions start today'],
    fixSteps: ['Fix the HQ API and trigger a manual price sync on the affected stores', 'If a promotion is affected, notify the stores to apply it manually'],
    owner: OWNER.pricing,
    signals: [/\b50[234]\b|Bad Gateway|HTTPError|timed out/i],
  },
  PROFILE_LOAD_ERROR: {
    likelyCause: 'The cached customer profile file is not valid JSON (truncated or zero-filled): the file was cut off during a write, often by a power loss.',
    checks: ['Check the cache file in the samples for truncation or NUL bytes', 'Check whether several profiles are corrupt (disk or power problem)'],
    fixSteps: ['Delete the corrupt cache file so the profile reloads from HQ', 'Write cache files atomically (temp file + rename)'],
    owner: OWNER.platform,
    signals: [/invalid JSON|SyntaxError|Unexpected token|not valid JSON/i],
  },
  SYNC_CONFLICT: {
    likelyCause: 'The store and HQ changed the same inventory record between syncs and HQ’s value won: local adjustments may have been overwritten.',
    checks: ['Compare local and HQ versions and quantities in the samples', 'Check which local adjustment was overwritten'],
    fixSteps: ['Re-apply the lost local adjustment if it was valid', 'Sync more often or send adjustments as deltas rather than absolute values'],
    owner: OWNER.inventory,
    signals: [/sync conflict|hq-wins|local version \d+/i],
  },
  TAX_TABLE_MISSING: {
    likelyCause:
      'The register has no tax rate table for the jurisdiction and current period, so sales are suspended: the quarterly tax table was not delivered or the file is misnamed.',
    checks: ['Check whether the tax file in the samples exists on the register', 'Check the tax table distribution job for the current quarter'],
    fixSteps: ['Redeploy the current tax table to the affected stores', 'Verify rates with a test sale before reopening lanes'],
    owner: OWNER.tax,
    signals: [/NoSuchFileException|TaxTableMissingException|missing from \//i],
  },

  // ── system ─────────────────────────────────────────────────────────────────────────────────────────────────────
  ACCOUNT_LOCKED: {
    likelyCause: 'An operator account was locked after repeated failed logins: a forgotten PIN, or someone trying PINs.',
    checks: ['Check who attempted the logins and when', 'Check whether the operator recently changed their PIN'],
    fixSteps: ['Unlock the account after verifying the operator’s identity', 'Reset the PIN if forgotten'],
    owner: OWNER.access,
    signals: [/locked after \d+ failed logins|failedLogins/i],
  },
  CONFIG_MISMATCH: {
    likelyCause: 'The register runs a different configuration version than HQ published: the last configuration push did not complete on this register.',
    checks: ['Check the configuration push status for the register', 'Compare the versions in the samples'],
    fixSteps: ['Re-push the configuration and restart the POS application'],
    owner: OWNER.platform,
    signals: [/configuration version \d+ differs|checksum/i],
  },
  DISK_WRITE_DENIED: {
    likelyCause:
      'The POS process may not write its journal file (EACCES): wrong ownership or permissions after an update or a manual fix, or a read-only remount after disk errors.',
    checks: ['Check ownership and permissions of the directory in the samples', 'Check whether the filesystem was remounted read-only (kernel log)'],
    fixSteps: ['Restore ownership to the POS service user and rerun the update’s permission step', 'If remounted read-only, check the disk and reboot'],
    owner: OWNER.registerOs,
    signals: [/EACCES|permission denied|EROFS|read-only file system/i],
  },
  DRIVER_SERVICE_STOPPED: {
    likelyCause:
      'The OPOS peripheral service crashed with an access violation (0xC0000005) and keeps restarting: a driver incompatible with the current OS or POS build.',
    checks: ['Check the driver version against the POS build compatibility list', 'Check the Windows event log for the faulting module'],
    fixSteps: ['Reinstall the certified driver version', 'Roll back a recent OS or driver update'],
    owner: OWNER.drivers,
    references: ['UnifiedPOS / OPOS service object specification'],
    signals: [/exited with code|0xC0000005|restarts in last/i],
  },
  FONT_RENDER_FAIL: {
    likelyCause: 'The UI font cannot render some glyphs (characters outside its coverage or a damaged font file) and falls back to a bitmap font.',
    checks: ['Check which code points failed', 'Check the font file checksum'],
    fixSteps: ['Reinstall the font or add a fallback font covering those characters'],
    owner: OWNER.platform,
    signals: [/rasteri[sz]e|glyphs|bitmap font/i],
  },
  LICENSE_EXPIRED: {
    likelyCause: 'The POS licence expired and the grace period is over, so checkout is disabled: the renewal was not applied to this register.',
    checks: ['Check the licence status in the licensing portal', 'Check whether the register can reach the licence server'],
    fixSteps: ['Apply the renewed licence to the register', 'Request an emergency licence extension from the vendor'],
    owner: OWNER.platform,
    signals: [/license \S+ expired|grace period/i],
  },
  PRINTER_OVERHEAT: {
    likelyCause: 'The thermal print head exceeds its temperature limit and pauses printing: long continuous prints, a blocked vent or a failing head.',
    checks: ['Check the printer’s ventilation', 'Check print volume at the time'],
    fixSteps: ['Clear the vents and let the printer cool', 'Replace the printer if it overheats at normal volume'],
    owner: OWNER.fieldService,
    signals: [/print head temperature|exceeds \d+C limit|headTempC/i],
  },
  TIME_SYNC_ERROR: {
    likelyCause:
      'The register clock is off from NTP by more than the allowed offset, making transaction timestamps unreliable (and TLS certificate checks fragile).',
    checks: ['Check the NTP server in the samples is reachable and in sync', 'Check the register’s time service status'],
    fixSteps: ['Resync the clock and restart the time service', 'Fix the NTP server if several registers drift'],
    owner: OWNER.registerOs,
    signals: [/clock offset|\bNTP\b|offsetMs/i],
  },
  VERSION_MISMATCH: {
    likelyCause:
      'The register software is older than the store server API requires, so the register is blocked: a staged rollout that updated the server before the registers.',
    checks: ['Compare client and server versions in the samples with the minimum', 'Check the rollout status for this store'],
    fixSteps: ['Update the register to the required version', 'Or roll the store server back until the registers are updated'],
    owner: OWNER.release,
    signals: [/incompatible|IncompatibleVersionException|minimum client/i],
  },
};

// ── derived codes ────────────────────────────────────────────────────────────────────────────────────────────────
// Codes the classifier derives from keywords (CONNECTION_REFUSED, TIMEOUT, …) and exception type names
// (SQL_TIMEOUT_EXCEPTION, NULL_POINTER_EXCEPTION, …). Exception names are open-ended, so codes map to a family by
// rules on their words; a family may reuse a catalogue entry (UNKNOWN_HOST_EXCEPTION is a DNS failure).

export const DERIVED_KNOWLEDGE: Readonly<Record<string, KnowledgeEntry>> = {
  CONNECTION_REFUSED: {
    likelyCause:
      'The target host answered but nothing listens on the port (connection refused): the service is stopped or restarting, or the client points at the wrong port.',
    checks: [
      'Check whether the service named in the samples is running and listening on that port',
      'Check whether it was restarted or redeployed at that time',
      'Check the client configuration for the host and port',
    ],
    fixSteps: ['Start or restart the service and confirm it listens', 'Correct the configured port if it changed'],
    owner: OWNER.platform,
    signals: [/ECONNREFUSED|connection refused|ConnectException/i],
  },
  CONNECTION_RESET: {
    likelyCause:
      'The peer or a middlebox closed established connections abruptly (reset): a service restart, an idle-timeout on a firewall/proxy shorter than the client keep-alive, or a crashing upstream.',
    checks: ['Check whether the upstream restarted at that time', 'Compare the firewall/proxy idle timeout with the client keep-alive'],
    fixSteps: ['Retry idempotent requests on reset', 'Set the client keep-alive below the middlebox idle timeout'],
    owner: OWNER.network,
    signals: [/ECONNRESET|connection reset|reset by peer|socket hang up/i],
  },
  CONNECTION_TIMEOUT: {
    likelyCause: 'TCP connections to the host time out: the host is down or a firewall silently drops the traffic.',
    checks: ['Test connectivity to the host and port from an affected register', 'Check firewall changes at that time'],
    fixSteps: ['Restore the host or the firewall rule'],
    owner: OWNER.network,
    signals: [/ETIMEDOUT|connect(?:ion)? timed? ?out/i],
  },
  CONNECTION_ERROR: {
    likelyCause: 'The client could not connect to a service (refused, reset, unresolved or timed out).',
    checks: ['Find the underlying errno or cause in the samples', 'Check the service’s health and the network path from the store'],
    fixSteps: ['Restore the service or the network path; make the client retry with backoff'],
    owner: OWNER.network,
    signals: [/ECONN|ETIMEDOUT|ENOTFOUND|connection (?:error|aborted|failed)/i],
  },
  NETWORK_UNREACHABLE: {
    likelyCause: 'The register has no route to the host: the store link or VPN is down or a route is missing.',
    checks: ['Check the store WAN/VPN status', 'Check the register’s default gateway and routes'],
    fixSteps: ['Restore the link or route; fail over to the backup link'],
    owner: OWNER.network,
    signals: [/EHOSTUNREACH|ENETUNREACH|unreachable|no route to host/i],
  },
  TLS_HANDSHAKE_FAILED: {
    likelyCause: 'The TLS handshake failed: a protocol or cipher mismatch, an untrusted or expired certificate, or TLS inspection by a proxy.',
    checks: ['Inspect the server certificate and protocols (openssl s_client)', 'Check for a proxy doing TLS inspection on the store network'],
    fixSteps: ['Fix the certificate chain or trust store', 'Exempt the host from TLS inspection'],
    owner: OWNER.network,
    signals: [/handshake|SSLHandshakeException|certificate|PKIX/i],
  },
  OUT_OF_MEMORY: {
    likelyCause: 'A process ran out of memory: a leak, an oversized batch/query result, or a heap limit too small for the register.',
    checks: ['Check the process memory trend before the failure', 'Check the heap limit and the register’s RAM'],
    fixSteps: ['Restart the process; fix the leak or bound the batch size', 'Raise the heap limit if the register has headroom'],
    owner: OWNER.platform,
    signals: [/out of memory|OutOfMemory|ENOMEM|MemoryError|heap/i],
  },
  PERMISSION_DENIED: {
    likelyCause: 'The process lacks permission for a file or operation: wrong ownership after an update, or a hardened policy.',
    checks: ['Check the path and user in the samples', 'Check recent updates or policy changes'],
    fixSteps: ['Restore ownership/permissions for the service user'],
    owner: OWNER.registerOs,
    signals: [/EACCES|EPERM|permission denied|access (?:is )?denied|not permitted/i],
  },
  NULL_REFERENCE: {
    likelyCause:
      'The code dereferenced a missing value (null/undefined/None): usually data the code assumes is present is missing (an unpriced item, an empty config field), or a bug in a recent release.',
    checks: [
      'Use the stack frames in the samples to find the field that was missing',
      'Check which input (item, customer, configuration) lacked that value',
      'Check whether the error started with a release',
    ],
    fixSteps: ['Fix the missing data', 'Handle the missing value in code with a clear error; roll back if a release caused it'],
    owner: OWNER.platform,
    signals: [/null ?pointer|NullReference|of (?:undefined|null)|NoneType|nil pointer|TypeError/i],
  },
  SEGFAULT: {
    likelyCause: 'A native process crashed on an invalid memory access: a buggy native driver or library, or faulty RAM.',
    checks: ['Find the crashing module in the core dump or event log', 'Check for recent driver or OS updates'],
    fixSteps: ['Roll back or update the native driver/library', 'Run a memory test if crashes are random'],
    owner: OWNER.drivers,
    signals: [/segmentation fault|SIGSEGV|core dumped|access violation|0xC0000005/i],
  },
  STACK_OVERFLOW: {
    likelyCause: 'Unbounded recursion exhausted the stack: typically a cyclic data structure (bundle containing itself, category loop).',
    checks: ['Find the repeating frames in the stack', 'Check the input data for a cycle'],
    fixSteps: ['Break the cycle in the data', 'Add cycle detection to the recursive code'],
    owner: OWNER.platform,
    signals: [/stack ?overflow|maximum call stack|RecursionError/i],
  },
  FILE_NOT_FOUND: {
    likelyCause: 'A file the application needs is missing: a failed deployment or distribution job, or a wrong path in configuration.',
    checks: ['Check the path in the samples on the register', 'Check the last deployment or file distribution job'],
    fixSteps: ['Redeploy the missing file', 'Correct the configured path'],
    owner: OWNER.release,
    signals: [/ENOENT|no such file|FileNotFound|NoSuchFile/i],
  },
  AUTHENTICATION_FAILED: {
    likelyCause: 'A service rejected the client’s credentials: an expired or rotated API key/password not updated on the client.',
    checks: ['Check when the credential was last rotated', 'Check which client and account failed'],
    fixSteps: ['Update the credential on the client from the secret store'],
    owner: OWNER.integrations,
    signals: [/\b401\b|unauthori[sz]ed|authentication failed|invalid credentials/i],
  },
  FORBIDDEN: {
    likelyCause: 'The client authenticated but is not allowed to perform the operation (403): missing role or scope.',
    checks: ['Check the role/scope of the account in the samples'],
    fixSteps: ['Grant the missing permission, least-privilege'],
    owner: OWNER.integrations,
    signals: [/\b403\b|forbidden/i],
  },
  SERVICE_UNAVAILABLE: {
    likelyCause: 'An upstream service answered 502/503/504: it is down, overloaded or being deployed.',
    checks: ['Check the upstream’s status and recent deployments', 'Check whether all stores are affected'],
    fixSteps: ['Wait for or trigger recovery of the upstream; make the client retry with backoff'],
    owner: OWNER.integrations,
    signals: [/\b50[234]\b|service unavailable|bad gateway|gateway time-?out/i],
  },
  HTTP_ERROR: {
    likelyCause: 'An HTTP call to another service failed with an error status: a rejected request (4xx) or a failing service (5xx).',
    checks: ['Find the status code and URL in the samples', 'Check the other service’s logs for the request'],
    fixSteps: ['Fix the request (4xx) or the service (5xx)'],
    owner: OWNER.integrations,
    signals: [/\bHTTP\b|status code \d{3}|\b[45]\d\d (?:Client|Server) Error/i],
  },
  BROKEN_PIPE: {
    likelyCause: 'The process wrote to a connection or pipe the other side had already closed: the peer crashed or timed out first.',
    checks: ['Check whether the peer logged a timeout or crash at the same time'],
    fixSteps: ['Align timeouts so the writer gives up first; handle EPIPE by reconnecting'],
    owner: OWNER.platform,
    signals: [/broken pipe|EPIPE/i],
  },
  TIMEOUT: {
    likelyCause: 'An operation exceeded its time limit: a slow dependency, lock contention, or a timeout set too low.',
    checks: ['Find which call timed out and the limit in the samples', 'Check the dependency’s latency at that time'],
    fixSteps: ['Fix the slow dependency; tune the timeout only if the limit is unrealistic'],
    owner: OWNER.platform,
    signals: [/timed? ?out|time-?out|deadline exceeded/i],
  },
  DB_QUERY_TIMEOUT: {
    likelyCause: 'A database statement exceeded its timeout: a slow query (missing index, large scan) or waiting on a lock.',
    checks: ['Find the statement and check its plan (EXPLAIN)', 'Check for locks or long transactions at that time'],
    fixSteps: ['Add the missing index or end the blocking transaction'],
    owner: OWNER.storeDb,
    signals: [/timeout|timed out|canceling statement|lock wait/i],
  },
  DATABASE_ERROR: {
    likelyCause: 'A database call failed: a constraint violation, a schema mismatch after a release, or a database-side problem.',
    checks: ['Find the SQLSTATE/vendor code in the samples', 'Check whether the schema matches the application release'],
    fixSteps: ['Fix the data or schema mismatch; apply pending migrations'],
    owner: OWNER.storeDb,
    signals: [/SQLSTATE|sqlState|\bSQL\b|constraint|relation|ORA-\d+/i],
  },
  PARSE_ERROR: {
    likelyCause: 'Data could not be parsed (invalid JSON/XML/number format): a truncated file, an incompatible message version, or bad input.',
    checks: ['Find the source of the unparseable data in the samples', 'Check for a version change on the producing side'],
    fixSteps: ['Fix or regenerate the data; make the parser reject it with a clear error'],
    owner: OWNER.platform,
    signals: [/JSON|parse|Unexpected token|malformed|deserializ|format/i],
  },
  INVALID_STATE: {
    likelyCause: 'The code reached a state it does not allow (illegal state, concurrent modification): a race or an unexpected sequence of events.',
    checks: ['Find the operation and preceding events in the samples'],
    fixSteps: ['Fix the state handling; serialise the conflicting operations'],
    owner: OWNER.platform,
    signals: [/IllegalState|InvalidOperation|ConcurrentModification|invalid state/i],
  },
  PROGRAMMING_ERROR: {
    likelyCause: 'The code received a value it cannot handle (bad argument, missing key, index out of range): unexpected input data or a bug.',
    checks: ['Find the failing value in the samples and its source', 'Check whether it started with a release'],
    fixSteps: ['Validate the input at its boundary; fix the bug'],
    owner: OWNER.platform,
    signals: [/IllegalArgument|ValueError|KeyError|IndexError|RangeError|out of (?:range|bounds)|ClassCast/i],
  },
};

const DERIVED_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/POOL|TOO_MANY_CONNECTIONS/, 'CONN_POOL_EXHAUSTED'],
  [/DEADLOCK/, 'DB_DEADLOCK'],
  [/(?:SQL|QUERY|STATEMENT|LOCK_WAIT).*TIMEOUT|QUERY_CANCELED/, 'DB_QUERY_TIMEOUT'],
  [/UNKNOWN_HOST|NAME_RESOLUTION|GAI_ERROR|NXDOMAIN|NAME_NOT_RESOLVED/, 'DNS_RESOLUTION_FAIL'],
  [/RATE_LIMIT|THROTTL|TOO_MANY_REQUESTS/, 'RATE_LIMIT_EXCEEDED'],
  [/CERT.*EXPIRED/, 'SSL_CERT_EXPIRED'],
  [/(?:^|_)(?:SSL|TLS|HANDSHAKE|CERTIFICATE|CERT_PATH)(?:_|$)/, 'TLS_HANDSHAKE_FAILED'],
  [/NO_SPACE|DISK_FULL|ENOSPC/, 'DISK_FULL'],
  [/MEMORY|(?:^|_)OOM(?:_|$)|HEAP/, 'OUT_OF_MEMORY'],
  [/CONNECT(?:ION)?_REFUSED|(?:^|_)CONNECT_EXCEPTION$/, 'CONNECTION_REFUSED'],
  [/CONNECTION_RESET|(?:^|_)ECONNRESET|RESET_BY_PEER/, 'CONNECTION_RESET'],
  [/CONNECT(?:ION)?_TIME(?:D_)?OUT/, 'CONNECTION_TIMEOUT'],
  [/UNREACHABLE|NO_ROUTE/, 'NETWORK_UNREACHABLE'],
  [/TIMEOUT|TIMED_OUT|DEADLINE/, 'TIMEOUT'],
  [/(?:^|_)CONNECTION(?:_|$)|(?:^|_)SOCKET(?:_|$)/, 'CONNECTION_ERROR'],
  [/NULL|NONE_TYPE|(?:^|_)NIL(?:_|$)|UNDEFINED|ATTRIBUTE_ERROR|(?:^|_)TYPE_ERROR$/, 'NULL_REFERENCE'],
  [/SEGFAULT|SIGSEGV|ACCESS_VIOLATION/, 'SEGFAULT'],
  [/STACK_OVERFLOW|RECURSION/, 'STACK_OVERFLOW'],
  [/FILE_NOT_FOUND|NO_SUCH_FILE|ENOENT|DIRECTORY_NOT_FOUND/, 'FILE_NOT_FOUND'],
  [/PERMISSION|ACCESS_DENIED|UNAUTHORIZED_ACCESS|SECURITY_EXCEPTION|(?:^|_)EACCES$|(?:^|_)EPERM$/, 'PERMISSION_DENIED'],
  [/FORBIDDEN/, 'FORBIDDEN'],
  [/AUTH|CREDENTIAL|LOGIN/, 'AUTHENTICATION_FAILED'],
  [/UNAVAILABLE|BAD_GATEWAY/, 'SERVICE_UNAVAILABLE'],
  [/BROKEN_PIPE|EPIPE/, 'BROKEN_PIPE'],
  [
    /(?:^|_)(?:SQL|JDBC|PSQL|PG|DB|DATABASE|DATA_ACCESS|SQLITE|HIBERNATE|INTEGRITY|OPERATIONAL|PROGRAMMING|PERSISTENCE)(?:_|$)|SQL[A-Z]*_EXCEPTION/,
    'DATABASE_ERROR',
  ],
  [/(?:^|_)HTTP|WEB_APPLICATION|REST_CLIENT|RESPONSE_STATUS|(?:^|_)AXIOS/, 'HTTP_ERROR'],
  [/JSON|XML|PARSE|SERIALI[SZ]|DECODE|UNMARSHAL|SYNTAX_ERROR|FORMAT_EXCEPTION|NUMBER_FORMAT|MALFORMED/, 'PARSE_ERROR'],
  [/ILLEGAL_STATE|INVALID_OPERATION|CONCURRENT_MODIFICATION|ASSERTION/, 'INVALID_STATE'],
  [
    /ILLEGAL_ARGUMENT|ARGUMENT|VALUE_ERROR|KEY_ERROR|INDEX_OUT_OF|INDEX_ERROR|RANGE_ERROR|CLASS_CAST|UNSUPPORTED_OPERATION|NOT_IMPLEMENTED|LOOKUP_ERROR/,
    'PROGRAMMING_ERROR',
  ],
];

// ── category fallbacks ───────────────────────────────────────────────────────────────────────────────────────────
// 'application' is the classifier's "no idea" category, so it has no fallback of its own: it gets the generic entry.
export type FallbackCategory = Exclude<Category, 'application'>;

export const CATEGORY_KNOWLEDGE: Readonly<Record<FallbackCategory, KnowledgeEntry>> = {
  payment: {
    likelyCause: 'A payment flow failed between the till, the PIN pad and the payment gateway; the exact step is not a known code.',
    checks: [
      'Check whether the failure is on the PIN pad, the tender service or the gateway call (stack frames, host names)',
      'Check the gateway status and whether other stores fail at the same time',
      'Check for transactions left authorised but not completed',
    ],
    fixSteps: ['Reverse incomplete authorisations', 'Escalate to the gateway with transaction ids if the gateway is at fault'],
    owner: OWNER.gateway,
    signals: [],
  },
  inventory: {
    likelyCause: 'Item, price or stock data at the store does not match what the till needs for the sale.',
    checks: ['Look up the item in the HQ master data and the store copy', 'Check the last item/price publish to the store'],
    fixSteps: ['Correct the master data and republish to the store'],
    owner: OWNER.pricing,
    signals: [],
  },
  network: {
    likelyCause: 'A network dependency of the register is unreachable or slow (store LAN, WAN, DNS, TLS or an upstream service).',
    checks: [
      'Identify the host and errno in the samples and test connectivity from an affected register',
      'Check whether all registers in the store are affected (store link) or the whole fleet (upstream)',
    ],
    fixSteps: ['Restore the link or upstream; fail over to the backup link if available'],
    owner: OWNER.network,
    signals: [],
  },
  hardware: {
    likelyCause: 'A peripheral (printer, scanner, scale, display, PIN pad) is disconnected, misconfigured or faulty.',
    checks: ['Check the device is powered and connected', 'Check the device node/port in the samples matches the configuration'],
    fixSteps: ['Reconnect or restart the device and its service; replace it if it stays faulty'],
    owner: OWNER.fieldService,
    signals: [],
  },
  database: {
    likelyCause: 'The store database rejected or failed a query: connection, lock, schema or capacity problem.',
    checks: ['Find the SQLSTATE or database error in the samples', 'Check the database server health and recent schema changes'],
    fixSteps: ['Fix the underlying database condition; apply or repair migrations if the schema is behind'],
    owner: OWNER.storeDb,
    signals: [],
  },
  integration: {
    likelyCause: 'A call to a third-party or HQ service (ERP, loyalty, tax, e-mail, KDS) failed.',
    checks: ['Find the service and status code in the samples', 'Check that service’s status and credentials'],
    fixSteps: ['Escalate to the service owner; make sure failed calls are queued for replay'],
    owner: OWNER.integrations,
    signals: [],
  },
  security: {
    likelyCause: 'An authentication, authorisation or policy control blocked an action, or flagged suspicious activity.',
    checks: ['Check who triggered it and whether it is expected behaviour', 'Check for repeated attempts'],
    fixSteps: ['Involve loss prevention or information security if the activity is not explained'],
    owner: OWNER.access,
    signals: [],
  },
  performance: {
    likelyCause: 'The register or a service is resource-constrained (CPU, memory, disk or slow queries).',
    checks: ['Check CPU, memory and disk metrics on the register at that time', 'Check for background jobs or a recent release'],
    fixSteps: ['Free the resource (restart, clean up) and fix the cause (leak, job schedule, index)'],
    owner: OWNER.platform,
    signals: [],
  },
  data: {
    likelyCause: 'Data the register depends on is missing, stale, malformed or in conflict with HQ.',
    checks: ['Identify the record or file in the samples', 'Check the last sync/distribution job for it'],
    fixSteps: ['Repair or resend the data from HQ'],
    owner: OWNER.platform,
    signals: [],
  },
  system: {
    likelyCause: 'The register OS or POS installation is misconfigured (licence, version, permissions, clock, drivers).',
    checks: ['Compare the register configuration and versions with HQ', 'Check the OS event/system log at that time'],
    fixSteps: ['Re-apply the standard configuration or update; restart the affected service'],
    owner: OWNER.registerOs,
    signals: [],
  },
};

export const GENERIC_KNOWLEDGE: KnowledgeEntry = {
  likelyCause: 'An unclassified error in the POS application; the log lines do not match a known failure.',
  checks: [
    'Read the exception type and the top stack frames in the samples',
    'Check whether it started with a deployment or configuration change',
    'Check whether it affects one register, one store or the whole fleet',
  ],
  fixSteps: ['Roll back a recent change if the timing matches', 'Add a specific error code to the log line so it can be classified'],
  owner: OWNER.platform,
  signals: [],
};

export type KnowledgeTier = 'known' | 'derived' | 'category' | 'generic';

export interface KnowledgeMatch {
  readonly tier: KnowledgeTier;
  readonly entry: KnowledgeEntry;
  /** the table key that matched: the code, a derived family, a category, or 'generic' */
  readonly key: string;
}

function isFallbackCategory(category: string): category is FallbackCategory {
  return category !== 'application' && (CATEGORIES as readonly string[]).includes(category);
}

const MAX_CODE_CHARS = 64;
// The classifier's "no code" answers: their words mean nothing, so only the category can help.
const PLACEHOLDER_CODES: ReadonlySet<string> = new Set(['UNCLASSIFIED_ERROR', 'NONE']);

/** The most specific knowledge for a code: catalogue entry, then derived family, then category, then generic. */
export function lookupKnowledge(code: string, category: string): KnowledgeMatch {
  const upper = typeof code === 'string' && code.length <= MAX_CODE_CHARS ? code.toUpperCase() : '';
  const known = KNOWN_CODES.has(upper) ? KNOWLEDGE_BASE[upper] : undefined;
  if (known) return { tier: 'known', entry: known, key: upper };
  const derivedExact = DERIVED_KNOWLEDGE[upper];
  if (derivedExact) return { tier: 'derived', entry: derivedExact, key: upper };
  if (upper.length > 0 && !PLACEHOLDER_CODES.has(upper)) {
    for (const [pattern, family] of DERIVED_RULES) {
      if (!pattern.test(upper)) continue;
      const entry = DERIVED_KNOWLEDGE[family] ?? KNOWLEDGE_BASE[family];
      if (entry) return { tier: 'derived', entry, key: family };
    }
  }
  if (typeof category === 'string' && isFallbackCategory(category)) {
    return { tier: 'category', entry: CATEGORY_KNOWLEDGE[category], key: category };
  }
  return { tier: 'generic', entry: GENERIC_KNOWLEDGE, key: 'generic' };
}
