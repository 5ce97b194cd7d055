import { Logger } from '@aws-lambda-powertools/logger';

/** The `service` of every log line, metric and trace segment. */
export const SERVICE_NAME = 'stacklens';

export const logger = new Logger({ serviceName: SERVICE_NAME });
