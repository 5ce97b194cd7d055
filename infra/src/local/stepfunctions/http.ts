// The AWS JSON 1.0 face of LocalStepFunctions: the edge server hands over the operation named by
// `X-Amz-Target: AWSStepFunctions.<Operation>` and the raw body.
import { awsJsonHandler } from '../aws-json.js';
import type { LocalStepFunctions } from './service.js';

export const STEP_FUNCTIONS_TARGET_PREFIX = 'AWSStepFunctions.';
/** Execution input is at most 256 KiB; JSON escaping inside the request can multiply that. */
export const MAX_STEP_FUNCTIONS_REQUEST_BYTES = 2 * 1024 * 1024;

export const handleStepFunctionsRequest = awsJsonHandler<LocalStepFunctions>({
  contentType: 'application/x-amz-json-1.0',
  maxRequestBytes: MAX_STEP_FUNCTIONS_REQUEST_BYTES,
  logName: 'stepfunctions',
  serviceTitle: 'Step Functions',
  faultType: 'InternalFailure',
});
