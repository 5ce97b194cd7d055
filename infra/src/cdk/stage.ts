import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { LOG_GROUP_NAME } from '../pipeline.js';

// Everything that differs between deployments comes from CDK context (`-c key=value` or cdk.json), read and validated
// here once, so the constructs receive plain typed values and a typo fails the synth instead of the deploy.

export const STAGES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

export interface StageConfig {
  readonly stage: StageName;
  readonly production: boolean;
  /** Retain data, protect tables and the user pool from deletion. */
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: RetentionDays;
  /** The POS log group the kiosks ship to. */
  readonly posLogGroupName: string;
  /** Invited as the first admin; without it the pool starts empty and the README says how to add one. */
  readonly adminEmail?: string;
  /** Receives alarm notifications (confirmed by e-mail); without it the topic exists and can be subscribed to later. */
  readonly alarmEmail?: string;
  /** Bedrock model or inference profile id; unset means the built-in analyzer answers every analysis. */
  readonly bedrockModelId?: string;
  /**
   * Hosted UI prefix (`<prefix>.auth.<region>.amazoncognito.com`). Prefixes are unique per region across all AWS
   * accounts, so the default appends the account id: `stacklens-<stage>-<account>`.
   */
  readonly authDomainPrefix?: string;
  /** Jira hosts allowed besides *.atlassian.net (STACKLENS_JIRA_ALLOW_HOSTS). */
  readonly jiraAllowHosts: readonly string[];
  /** Days occurrences and timeline entries are kept (DynamoDB TTL). */
  readonly retentionDays: number;
  /** A custom dashboard domain with its ACM certificate (us-east-1); both or neither. */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
  /** An existing AWS WAF web ACL (CLOUDFRONT scope) to put in front of the dashboard and the API route. */
  readonly webAclArn?: string;
  /** PEM bundle of the CA that issues kiosk certificates: creates the IAM Roles Anywhere trust anchor, role and profile. */
  readonly kioskCaBundle?: string;
}

const RETENTION: Record<number, RetentionDays> = {
  7: RetentionDays.ONE_WEEK,
  14: RetentionDays.TWO_WEEKS,
  30: RetentionDays.ONE_MONTH,
  90: RetentionDays.THREE_MONTHS,
  180: RetentionDays.SIX_MONTHS,
  365: RetentionDays.ONE_YEAR,
};

export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
  readonly code = 'STAGE_CONFIG_INVALID';
}

export function stageConfig(node: Node): StageConfig {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') throw new StageConfigError(`Context "${key}" must be a string`);
    return String(value).trim();
  };

  const stage = text('stage') ?? 'dev';
  if (!(STAGES as readonly string[]).includes(stage)) throw new StageConfigError(`Context "stage" must be one of ${STAGES.join(', ')}; got "${stage}"`);
  const production = stage === 'prod';

  const adminEmail = text('adminEmail');
  if (adminEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(adminEmail))
    throw new StageConfigError(`Context "adminEmail" is not an e-mail address: "${adminEmail}"`);
  const alarmEmail = text('alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail))
    throw new StageConfigError(`Context "alarmEmail" is not an e-mail address: "${alarmEmail}"`);

  const bedrockModelId = text('bedrockModelId');
  if (bedrockModelId !== undefined && !/^[\w.:/-]{3,200}$/.test(bedrockModelId))
    throw new StageConfigError(`Context "bedrockModelId" is not a model or inference profile id: "${bedrockModelId}"`);

  const authDomainPrefix = text('authDomainPrefix');
  // Cognito's rule for prefixes, plus its reserved words.
  if (authDomainPrefix !== undefined && (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(authDomainPrefix) || /aws|amazon|cognito/.test(authDomainPrefix))) {
    throw new StageConfigError(
      `Context "authDomainPrefix" must be lower-case letters, digits and hyphens without "aws", "amazon" or "cognito"; got "${authDomainPrefix}"`,
    );
  }

  const logRetentionDays = Number(text('logRetentionDays') ?? (production ? 90 : 14));
  const logRetention = RETENTION[logRetentionDays];
  if (logRetention === undefined) throw new StageConfigError(`Context "logRetentionDays" must be one of ${Object.keys(RETENTION).join(', ')}`);

  const retentionDays = Number(text('retentionDays') ?? 30);
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 3650)
    throw new StageConfigError('Context "retentionDays" must be a whole number of days (1-3650)');

  const domainName = text('domainName');
  const certificateArn = text('certificateArn');
  if ((domainName === undefined) !== (certificateArn === undefined))
    throw new StageConfigError('Contexts "domainName" and "certificateArn" go together: set both or neither');
  if (certificateArn !== undefined && !/^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(certificateArn)) {
    throw new StageConfigError('Context "certificateArn" must be an ACM certificate in us-east-1 (CloudFront only uses certificates from there)');
  }
  const webAclArn = text('webAclArn');
  if (webAclArn !== undefined && !/^arn:aws[\w-]*:wafv2:us-east-1:\d{12}:global\/webacl\/.+$/.test(webAclArn)) {
    throw new StageConfigError('Context "webAclArn" must be a CLOUDFRONT-scope WAFv2 web ACL (arn:aws:wafv2:us-east-1:<account>:global/webacl/...)');
  }

  const kioskCaFile = text('kioskCaBundleFile');
  let kioskCaBundle: string | undefined;
  if (kioskCaFile !== undefined) {
    try {
      kioskCaBundle = readFileSync(path.resolve(kioskCaFile), 'utf8').trim();
    } catch (error) {
      throw new StageConfigError(`Context "kioskCaBundleFile" cannot be read: ${(error as Error).message}`);
    }
    if (!/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/.test(kioskCaBundle)) {
      throw new StageConfigError(`Context "kioskCaBundleFile" (${kioskCaFile}) is not a PEM certificate bundle`);
    }
  }

  return {
    stage: stage as StageName,
    production,
    removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    logRetention,
    // Two stages in one account and region must not fight over one log group; production keeps the documented name.
    posLogGroupName: text('posLogGroupName') ?? (production ? LOG_GROUP_NAME : `${LOG_GROUP_NAME}-${stage}`),
    ...(adminEmail ? { adminEmail: adminEmail.toLowerCase() } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(bedrockModelId ? { bedrockModelId } : {}),
    ...(authDomainPrefix ? { authDomainPrefix } : {}),
    jiraAllowHosts: (text('jiraAllowHosts') ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h.length > 0),
    retentionDays,
    ...(domainName && certificateArn ? { customDomain: { domainName, certificateArn } } : {}),
    ...(webAclArn ? { webAclArn } : {}),
    ...(kioskCaBundle ? { kioskCaBundle } : {}),
  };
}
