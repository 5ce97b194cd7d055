// Known POS error codes: the single source for code → category, severity and title.
// The demo POS scenarios, the classifier and (later) the built-in analyzer all key on these codes.

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORIES = ['payment', 'inventory', 'network', 'hardware', 'database', 'integration', 'security', 'performance', 'data', 'system', 'application'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface KnownCode {
  readonly code: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly title: string;
}

const entries: ReadonlyArray<readonly [string, Category, Severity, string]> = [
  ['MISSING_PRICE', 'inventory', 'high', 'Product Has No Price'],
  ['PRICE_SYNC_FAILED', 'data', 'high', 'Price Sync Failure'],
  ['PROFILE_LOAD_ERROR', 'data', 'medium', 'Customer Profile Corrupt'],
  ['SYNC_CONFLICT', 'data', 'medium', 'Inventory Sync Conflict'],
  ['TAX_TABLE_MISSING', 'data', 'critical', 'Tax Rate Table Missing'],
  ['CONN_POOL_EXHAUSTED', 'database', 'high', 'Connection Pool Exhaustion'],
  ['DATA_CORRUPTION', 'database', 'critical', 'Data Corruption Detected'],
  ['DB_DEADLOCK', 'database', 'high', 'Transaction Deadlock'],
  ['BIOMETRIC_READ_FAIL', 'hardware', 'medium', 'Biometric Reader Failure'],
  ['DISPLAY_ERROR', 'hardware', 'low', 'Customer Display Not Working'],
  ['PRINTER_JAM', 'hardware', 'medium', 'Receipt Printer Paper Jam'],
  ['SCALE_CALIBRATION_ERR', 'hardware', 'high', 'Scale Calibration Error'],
  ['SCANNER_ERROR', 'hardware', 'high', 'Barcode Scanner Malfunction'],
  ['TOUCHSCREEN_DRIFT', 'hardware', 'medium', 'Touchscreen Calibration Drift'],
  ['EMAIL_SERVICE_DOWN', 'integration', 'low', 'Email Receipt Service Down'],
  ['ERP_SYNC_FAIL', 'integration', 'medium', 'Accounting Sync Failure'],
  ['GIFT_CARD_ERROR', 'integration', 'high', 'Gift Card Balance Check Failed'],
  ['KDS_TIMEOUT', 'integration', 'high', 'Kitchen Display System (KDS) Timeout'],
  ['LOYALTY_API_DOWN', 'integration', 'medium', 'Loyalty System API Down'],
  ['TAX_CALC_ERROR', 'integration', 'high', 'Tax Calculation Service Error'],
  ['BARCODE_NOT_FOUND', 'inventory', 'medium', 'Barcode Scan Failure'],
  ['BUNDLE_DECOMP_FAIL', 'inventory', 'high', 'Bundle SKU Decomposition Fail'],
  ['DUPLICATE_SERIAL', 'inventory', 'medium', 'Serial Number Duplicate'],
  ['INVENTORY_MISMATCH', 'inventory', 'high', 'Out of Stock - System Mismatch'],
  ['NEGATIVE_STOCK', 'inventory', 'medium', 'Negative Stock Error'],
  ['PRICE_NOT_FOUND', 'inventory', 'high', 'Price Lookup Failure'],
  ['RETURN_CONDITION_REJECT', 'inventory', 'medium', 'Damaged Item Return Error'],
  ['CLOUD_DEGRADED', 'network', 'high', 'Cloud Service Degradation'],
  ['DB_CONNECTION_LOST', 'network', 'critical', 'Database Connection Lost'],
  ['DNS_RESOLUTION_FAIL', 'network', 'critical', 'DNS Resolution Failure'],
  ['RATE_LIMIT_EXCEEDED', 'network', 'high', 'API Rate Limit Exceeded'],
  ['SSL_CERT_EXPIRED', 'network', 'critical', 'SSL Certificate Expired'],
  ['CARD_DECLINED_NSF', 'payment', 'medium', 'Card Declined - Insufficient Funds'],
  ['CONTACTLESS_FAILED', 'payment', 'medium', 'Contactless Payment Rejected'],
  ['DCC_SERVICE_UNAVAILABLE', 'payment', 'low', 'Currency Conversion Error'],
  ['DUPLICATE_CHARGE', 'payment', 'critical', 'Duplicate Transaction Posted'],
  ['EMV_READ_ERROR', 'payment', 'high', 'EMV Chip Read Failure'],
  ['PAYMENT_TIMEOUT', 'payment', 'critical', 'Payment Gateway Timeout'],
  ['SPLIT_PAYMENT_ERROR', 'payment', 'medium', 'Split Payment Failure'],
  ['WALLET_HANDSHAKE_FAIL', 'payment', 'medium', 'Digital Wallet Handshake Failure'],
  ['CPU_OVERLOAD', 'performance', 'high', 'CPU Overload'],
  ['DISK_FULL', 'performance', 'high', 'Disk Space Critical'],
  ['MEMORY_LEAK', 'performance', 'high', 'Memory Leak Detected'],
  ['SLOW_QUERY_DETECTED', 'performance', 'medium', 'Database Index Missing'],
  ['UI_FREEZE', 'performance', 'medium', 'UI Thread Blocked'],
  ['AUTH_FAILED', 'security', 'high', 'Employee Authentication Failure'],
  ['AUTH_LIMIT_EXCEEDED', 'security', 'high', 'Unauthorized Refund Attempt'],
  ['FRAUD_ALERT', 'security', 'high', 'Suspicious Transaction Pattern'],
  ['PCI_VIOLATION', 'security', 'critical', 'PCI Compliance Violation Detected'],
  ['SESSION_EXPIRED', 'security', 'medium', 'Session Token Expired'],
  ['USB_SECURITY_ALERT', 'security', 'high', 'USB Port Security Violation'],
  ['ACCOUNT_LOCKED', 'system', 'medium', 'Excessive Failed Login Attempts'],
  ['CONFIG_MISMATCH', 'system', 'medium', 'Configuration Mismatch'],
  ['DISK_WRITE_DENIED', 'system', 'high', 'Disk Write Permission Denied'],
  ['DRIVER_SERVICE_STOPPED', 'system', 'high', 'Peripheral Driver Crash'],
  ['FONT_RENDER_FAIL', 'system', 'low', 'Font Rendering Error'],
  ['LICENSE_EXPIRED', 'system', 'critical', 'License Expiration'],
  ['PRINTER_OVERHEAT', 'system', 'medium', 'Thermal Printer Overheating'],
  ['TIME_SYNC_ERROR', 'system', 'medium', 'Time Synchronization Error'],
  ['VERSION_MISMATCH', 'system', 'critical', 'Software Version Incompatibility'],
  ['PAYMENT_DECLINED_FRAUD', 'payment', 'high', 'Payment Declined by Fraud Screening'],
  ['NETWORK_PARTITION', 'network', 'critical', 'Store Network Offline'],
  ['DB_MIGRATION_FAILED', 'database', 'critical', 'Local Database Migration Failed'],
];

export const KNOWN_CODES: ReadonlyMap<string, KnownCode> = new Map(
  entries.map(([code, category, severity, title]) => [code, { code, category, severity, title }]),
);

export function knownCode(code: string): KnownCode | undefined {
  return KNOWN_CODES.get(code);
}
