// The AWS JSON 1.1 face of LocalCloudWatchLogs: the edge server hands over the operation named by
// `X-Amz-Target: Logs_20140328.<Operation>` and the raw body.
import { awsJsonHandler } from '../aws-json.js';
import type { LocalCloudWatchLogs } from './service.js';

export const LOGS_TARGET_PREFIX = 'Logs_20140328.';
/** A full PutLogEvents batch is about 1 MB of messages; JSON escaping can multiply that, 5 MB cannot be a real client. */
export const MAX_LOGS_REQUEST_BYTES = 5 * 1024 * 1024;

export const handleLogsRequest = awsJsonHandler<LocalCloudWatchLogs>({
  contentType: 'application/x-amz-json-1.1',
  maxRequestBytes: MAX_LOGS_REQUEST_BYTES,
  logName: 'cloudwatch-logs',
  serviceTitle: 'CloudWatch Logs endpoint',
  faultType: 'ServiceUnavailableException',
});
