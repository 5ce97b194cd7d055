import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { TABLE_ENV } from '../../../../functions/src/config.js';
import { ADMIN_ROUTES } from '../../../../functions/src/handlers/api-admin.js';
import { API_ROUTES, PUBLIC_ROUTES } from '../../../../functions/src/handlers/api.js';
import { ERROR_FILTER_PATTERN } from '../../../src/pipeline.js';
import { TABLES } from '../../../src/tables.js';
import { WORKFLOW_ASL_FILE } from '../../../src/workflow.js';
import { propertiesOf, resourcesOf, synthesize, type Synthesized } from './synth.js';

type Json = Record<string, unknown>;
type Statement = { Effect?: string; Action?: string | string[]; Resource?: unknown; Principal?: unknown; Condition?: unknown };

const INFERENCE_PROFILE = 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0';

let dev: Synthesized;

beforeAll(() => {
  dev = synthesize({ stage: 'dev', adminEmail: 'Ops@Example.com', alarmEmail: 'oncall@example.com', bedrockModelId: INFERENCE_PROFILE });
});

function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as never);
}

/** Every policy statement anywhere in the template: identity policies, inline role policies, resource policies. */
function allStatements(value: unknown, found: Statement[] = []): Statement[] {
  if (Array.isArray(value)) value.forEach((v) => allStatements(v, found));
  else if (value && typeof value === 'object') {
    const record = value as Json;
    if (Array.isArray(record.Statement)) found.push(...(record.Statement as Statement[]));
    Object.values(record).forEach((v) => allStatements(v, found));
  }
  return found;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

describe('Stack: StackLens (dev)', () => {
  describe('POS log pipeline', () => {
    it('subscribes the ingest function to the POS log group with the pattern the local runtime uses', () => {
      // Prepare
      const ingest = logicalIdOf(dev.stack.handlers.functions.ingest);
      const [[, filter] = []] = resourcesOf(dev.template, 'AWS::Logs::SubscriptionFilter');

      // Assess
      expect(resourcesOf(dev.template, 'AWS::Logs::SubscriptionFilter')).toHaveLength(1);
      expect(propertiesOf(filter!)).toEqual({
        DestinationArn: { 'Fn::GetAtt': [ingest, 'Arn'] },
        FilterName: 'stacklens-errors',
        FilterPattern: ERROR_FILTER_PATTERN,
        LogGroupName: { Ref: logicalIdOf(dev.stack.pipeline.logGroup) },
      });
      dev.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/stacklens/pos-dev', RetentionInDays: 14 });
      dev.template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [ingest, 'Arn'] },
        Principal: 'logs.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [logicalIdOf(dev.stack.pipeline.logGroup), 'Arn'] },
      });
    });

    it('parks batches that fail ingest after two retries on an encrypted queue whose depth alarms', () => {
      // Prepare
      const queue = logicalIdOf(dev.stack.pipeline.failures);

      // Assess
      dev.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalIdOf(dev.stack.handlers.functions.ingest) },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
      });
      dev.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
      dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        Threshold: 1,
        AlarmActions: [{ Ref: logicalIdOf(dev.stack.alarms) }],
      });
    });

    it('lets kiosks create streams and put events in the POS log group and do nothing else', () => {
      // Prepare
      const policy = propertiesOf(resourcesOf(dev.template, 'AWS::IAM::ManagedPolicy')[0]![1]);

      // Assess
      expect((policy.PolicyDocument as Json).Statement).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':logs:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':log-group:/stacklens/pos-dev:log-stream:*',
              ],
            ],
          },
        },
      ]);
    });
  });

  describe('incident workflow', () => {
    it('deploys the shared ASL file with the workflow function substituted, Retry and Catch blocks intact', () => {
      // Prepare
      const [[, machine] = []] = resourcesOf(dev.template, 'AWS::StepFunctions::StateMachine');
      const properties = propertiesOf(machine!);
      const asset = dev.stack.workflow.stateMachine.node.findChild('DefinitionBody') as unknown as { assetPath: string };
      const deployed = JSON.parse(readFileSync(path.join(dev.outdir, asset.assetPath), 'utf8')) as { States: Record<string, Json> };
      const shared = JSON.parse(readFileSync(WORKFLOW_ASL_FILE, 'utf8')) as { States: Record<string, Json> };
      const retryCatch = (states: Record<string, Json>) =>
        Object.fromEntries(Object.entries(states).map(([name, state]) => [name, { Retry: state.Retry, Catch: state.Catch }]));

      // Assess
      expect(properties.DefinitionS3Location).toBeDefined();
      expect(properties.DefinitionSubstitutions).toEqual({
        WorkflowFunctionArn: { 'Fn::GetAtt': [logicalIdOf(dev.stack.handlers.functions.workflow), 'Arn'] },
      });
      expect(retryCatch(deployed.States)).toEqual(retryCatch(shared.States));
      expect(deployed.States.CreateTicket!.Retry).toEqual(
        expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['JiraRetryableError'], MaxAttempts: 12 })]),
      );
      expect(deployed.States.Analyze!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordAnalysisFailure' }]);
    });

    it('logs every event with execution data and traces with X-Ray', () => {
      dev.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: [Match.anyValue()] },
        TracingConfiguration: { Enabled: true },
      });
    });

    it('lets the state machine invoke the workflow function and no other', () => {
      // Prepare
      const role = logicalIdOf(dev.stack.workflow.stateMachine.role as never);
      const policies = resourcesOf(dev.template, 'AWS::IAM::Policy').filter(
        ([, p]) => JSON.stringify(propertiesOf(p).Roles) === JSON.stringify([{ Ref: role }]),
      );
      const invokes = policies.flatMap(([, p]) => allStatements(propertiesOf(p))).filter((s) => list(s.Action).some((a) => String(a).startsWith('lambda:')));

      // Assess
      expect(invokes).toEqual([
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [logicalIdOf(dev.stack.handlers.functions.workflow), 'Arn'] } },
      ]);
    });
  });

  describe('tables', () => {
    it('creates every table of infra/src/tables.ts on demand, encrypted, with point-in-time recovery', () => {
      // Prepare
      const tables = resourcesOf(dev.template, 'AWS::DynamoDB::Table');

      // Assess
      expect(tables).toHaveLength(TABLES.length);
      for (const [, table] of tables) {
        expect(propertiesOf(table)).toMatchObject({
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          // SSEEnabled without a key is KMS with the account's aws/dynamodb key.
          SSESpecification: { SSEEnabled: true },
        });
      }
    });

    it('gives each table the keys, indexes and TTL attribute of its shared spec', () => {
      for (const spec of TABLES) {
        // Prepare
        const table = dev.stack.tables.tables[spec.id];
        const properties = propertiesOf(dev.template.toJSON().Resources[logicalIdOf(table)] as Json);

        // Assess
        expect(properties.KeySchema).toEqual([
          { AttributeName: spec.partitionKey.name, KeyType: 'HASH' },
          ...(spec.sortKey ? [{ AttributeName: spec.sortKey.name, KeyType: 'RANGE' }] : []),
        ]);
        expect(((properties.GlobalSecondaryIndexes ?? []) as Json[]).map((i) => i.IndexName)).toEqual((spec.globalIndexes ?? []).map((i) => i.name));
        expect(properties.TimeToLiveSpecification).toEqual(spec.ttlAttribute ? { AttributeName: spec.ttlAttribute, Enabled: true } : undefined);
      }
    });

    it('leaves dev tables deletable', () => {
      for (const [, table] of resourcesOf(dev.template, 'AWS::DynamoDB::Table')) {
        expect(propertiesOf(table).DeletionProtectionEnabled).toBe(false);
        expect(table.DeletionPolicy).toBe('Delete');
      }
    });
  });

  describe('dashboard', () => {
    it('blocks all public access to the bucket and requires TLS', () => {
      dev.template.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      const [[, policy] = []] = resourcesOf(dev.template, 'AWS::S3::BucketPolicy');
      const statements = allStatements(propertiesOf(policy!));
      expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    });

    it('lets only this distribution read the bucket, through Origin Access Control', () => {
      // Prepare
      const distribution = logicalIdOf(dev.stack.dashboard.distribution);
      const [[, policy] = []] = resourcesOf(dev.template, 'AWS::S3::BucketPolicy');
      const allows = allStatements(propertiesOf(policy!)).filter((s) => s.Effect === 'Allow');
      const [[oacId] = []] = resourcesOf(dev.template, 'AWS::CloudFront::OriginAccessControl');
      const origins = ((propertiesOf(resourcesOf(dev.template, 'AWS::CloudFront::Distribution')[0]![1]).DistributionConfig as Json).Origins ?? []) as Json[];
      const s3Origin = origins.find((o) => o.S3OriginConfig !== undefined)!;

      // Assess
      expect(allows).toHaveLength(1);
      expect(allows[0]).toMatchObject({
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      });
      expect(JSON.stringify(allows[0]!.Condition)).toContain(distribution);
      expect(s3Origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
      expect(s3Origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    });

    it('serves HTTPS only with security headers, and proxies /api/* uncached to the HTTP API', () => {
      // Prepare
      const config = propertiesOf(resourcesOf(dev.template, 'AWS::CloudFront::Distribution')[0]![1]).DistributionConfig as Json;
      const behaviors = [config.DefaultCacheBehavior as Json, ...((config.CacheBehaviors ?? []) as Json[])];

      // Assess
      for (const behavior of behaviors) expect(behavior.ViewerProtocolPolicy).toBe('https-only');
      expect(behaviors.map((b) => b.PathPattern)).toEqual([undefined, '/api/*']);
      expect(behaviors[1]!.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
      dev.template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
        ResponseHeadersPolicyConfig: {
          SecurityHeadersConfig: Match.objectLike({
            StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31_536_000, Override: true }),
            FrameOptions: { FrameOption: 'DENY', Override: true },
            ContentTypeOptions: { Override: true },
            ContentSecurityPolicy: Match.objectLike({ Override: true }),
          }),
        },
      });
    });

    it('writes a config.json in the shape the dashboard parses, pointing at the stage and its Cognito client', () => {
      // Prepare
      const deployments = resourcesOf(dev.template, 'Custom::CDKBucketDeployment').map(([, d]) => propertiesOf(d));
      const entry = deployments.find((d) => Array.isArray(d.SourceMarkers) && (d.SourceMarkers as Json[]).some((m) => Object.keys(m).length > 0))!;
      const markerValues = JSON.stringify(entry.SourceMarkers);

      // Assess
      expect(entry.DestinationBucketKeyPrefix ?? '').toBe('');
      expect(markerValues).toContain(logicalIdOf(dev.stack.identity.client));
      expect(markerValues).toContain(logicalIdOf(dev.stack.liveApi.api));
      expect(dev.stack.dashboard.runtimeConfig).toMatchObject({ apiBaseUrl: '/api', auth: { mode: 'cognito' } });
      expect(Object.keys(dev.stack.dashboard.runtimeConfig!.auth).sort()).toEqual(['clientId', 'domain', 'mode', 'redirectUri']);
    });
  });

  describe('APIs', () => {
    it('routes every entry of API_ROUTES, and only those', () => {
      // Prepare
      const httpApi = logicalIdOf(dev.stack.httpApi.api);
      const routeKeys = resourcesOf(dev.template, 'AWS::ApiGatewayV2::Route')
        .map(([, r]) => propertiesOf(r))
        .filter((p) => JSON.stringify(p.ApiId) === JSON.stringify({ Ref: httpApi }))
        .map((p) => p.RouteKey);

      // Assess
      expect(routeKeys.sort()).toEqual([...API_ROUTES].sort());
    });

    it('puts the Cognito JWT authorizer on every admin route and every other non-public route', () => {
      // Prepare
      const routes = resourcesOf(dev.template, 'AWS::ApiGatewayV2::Route').map(([, r]) => propertiesOf(r));
      const byKey = new Map(routes.map((r) => [r.RouteKey as string, r]));
      const [[authorizerId, authorizer] = []] = resourcesOf(dev.template, 'AWS::ApiGatewayV2::Authorizer').filter(
        ([, a]) => propertiesOf(a).AuthorizerType === 'JWT',
      );

      // Assess
      expect(propertiesOf(authorizer!)).toMatchObject({
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: { Audience: [{ Ref: logicalIdOf(dev.stack.identity.client) }] },
      });
      for (const key of ADMIN_ROUTES) expect(byKey.get(key)).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
      for (const key of API_ROUTES) {
        const expected = PUBLIC_ROUTES.has(key) ? { AuthorizationType: 'NONE' } : { AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } };
        expect({ key, ...byKey.get(key) }).toMatchObject({ key, ...expected });
      }
    });

    it('authorizes WebSocket $connect with the token authorizer reading ?token=', () => {
      // Prepare
      const authorizer = resourcesOf(dev.template, 'AWS::ApiGatewayV2::Authorizer').find(([, a]) => propertiesOf(a).AuthorizerType === 'REQUEST')!;

      // Assess
      expect(propertiesOf(authorizer[1]).IdentitySource).toEqual(['route.request.querystring.token']);
      expect(JSON.stringify(propertiesOf(authorizer[1]).AuthorizerUri)).toContain(logicalIdOf(dev.stack.handlers.functions.wsAuthorizer));
      dev.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: '$connect',
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: authorizer[0] },
      });
    });

    it('gives the authorizer the pool and client to verify tokens against', () => {
      dev.template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'index.authorizerEntry',
        Environment: {
          Variables: Match.objectLike({
            COGNITO_USER_POOL_ID: { Ref: logicalIdOf(dev.stack.identity.userPool) },
            COGNITO_CLIENT_ID: { Ref: logicalIdOf(dev.stack.identity.client) },
            COGNITO_REGION: { Ref: 'AWS::Region' },
          }),
        },
      });
    });
  });

  describe('identity', () => {
    it('is a closed pool with a strong password policy, optional TOTP MFA, and admin and viewer groups', () => {
      dev.template.hasResourceProperties('AWS::Cognito::UserPool', {
        AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: {
          PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true }),
        },
      });
      expect(
        resourcesOf(dev.template, 'AWS::Cognito::UserPoolGroup')
          .map(([, g]) => propertiesOf(g).GroupName)
          .sort(),
      ).toEqual(['admin', 'viewer']);
      dev.template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    });

    it('invites the first admin from the adminEmail context by e-mail and puts them in the admin group', () => {
      dev.template.hasResourceProperties('AWS::Cognito::UserPoolUser', {
        Username: 'ops@example.com',
        DesiredDeliveryMediums: ['EMAIL'],
        UserAttributes: Match.arrayWith([{ Name: 'email', Value: 'ops@example.com' }]),
      });
      dev.template.hasResourceProperties('AWS::Cognito::UserPoolUserToGroupAttachment', { GroupName: 'admin' });
    });
  });

  describe('functions', () => {
    it('runs every function on Node.js 22 or newer, on arm64, with active tracing', () => {
      // Prepare
      const ours = resourcesOf(dev.template, 'AWS::Lambda::Function').filter(([, f]) => String(propertiesOf(f).Runtime).startsWith('nodejs'));

      // Assess
      expect(ours).toHaveLength(5);
      for (const [, fn] of ours) {
        const properties = propertiesOf(fn);
        expect(Number(/^nodejs(\d+)/.exec(String(properties.Runtime))![1])).toBeGreaterThanOrEqual(22);
        expect(properties).toMatchObject({ Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
      }
    });

    it('tells every function where each table is', () => {
      for (const [, fn] of resourcesOf(dev.template, 'AWS::Lambda::Function').filter(([, f]) => String(propertiesOf(f).Runtime).startsWith('nodejs'))) {
        const variables = ((propertiesOf(fn).Environment as Json).Variables ?? {}) as Json;
        expect(Object.keys(variables)).toEqual(expect.arrayContaining(Object.values(TABLE_ENV)));
      }
    });

    it('grants Bedrock InvokeModel for the configured inference profile and its model only, to the workflow function only', () => {
      // Prepare
      const bedrock = resourcesOf(dev.template, 'AWS::IAM::Policy').flatMap(([, p]) =>
        allStatements(propertiesOf(p))
          .filter((s) => list(s.Action).some((a) => String(a).startsWith('bedrock:')))
          .map((s) => ({ roles: propertiesOf(p).Roles, statement: s })),
      );

      // Assess
      expect(bedrock).toHaveLength(1);
      expect(bedrock[0]!.roles).toEqual([{ Ref: logicalIdOf(dev.stack.handlers.roles.workflow) }]);
      expect(bedrock[0]!.statement.Action).toBe('bedrock:InvokeModel');
      expect(JSON.stringify(bedrock[0]!.statement.Resource)).toContain(`:inference-profile/${INFERENCE_PROFILE}`);
      expect(JSON.stringify(bedrock[0]!.statement.Resource)).toContain(':bedrock:*::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0');
      dev.template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'index.handler',
        Environment: { Variables: Match.objectLike({ BEDROCK_MODEL_ID: INFERENCE_PROFILE }) },
      });
    });
  });

  describe('Jira secret', () => {
    it('is created without a value and refuses reads by anyone but the Jira functions', () => {
      // Prepare
      const [[, secret] = []] = resourcesOf(dev.template, 'AWS::SecretsManager::Secret');
      const [[, policy] = []] = resourcesOf(dev.template, 'AWS::SecretsManager::ResourcePolicy');
      const roleArn = (id: 'api' | 'workflow') => ({ 'Fn::GetAtt': [logicalIdOf(dev.stack.handlers.roles[id]), 'Arn'] });

      // Assess
      expect(propertiesOf(secret!).GenerateSecretString).toBeUndefined();
      expect(propertiesOf(secret!).SecretString).toBeUndefined();
      expect(allStatements(propertiesOf(policy!))).toContainEqual({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalArn': [roleArn('api'), roleArn('workflow')] } },
      });
    });

    it('is readable by the API and workflow roles only', () => {
      // Prepare
      const secret = logicalIdOf(dev.stack.jiraSecret.secret);
      const readers = resourcesOf(dev.template, 'AWS::IAM::Policy')
        .filter(([, p]) =>
          allStatements(propertiesOf(p)).some((s) => list(s.Action).includes('secretsmanager:GetSecretValue') && JSON.stringify(s.Resource).includes(secret)),
        )
        .map(([, p]) => propertiesOf(p).Roles);

      // Assess
      expect(readers).toEqual(
        expect.arrayContaining([[{ Ref: logicalIdOf(dev.stack.handlers.roles.api) }], [{ Ref: logicalIdOf(dev.stack.handlers.roles.workflow) }]]),
      );
      expect(readers).toHaveLength(2);
    });
  });

  describe('least privilege', () => {
    it('has no statement that allows every action on every resource', () => {
      // Prepare
      const everything = allStatements(dev.template.toJSON()).filter(
        (s) => s.Effect === 'Allow' && list(s.Action).some((a) => a === '*' || String(a).endsWith(':*')) && list(s.Resource).includes('*'),
      );

      // Assess
      expect(everything).toEqual([]);
    });

    it('passes every AWS Solutions rule, each exception acknowledged on its own resource', () => {
      // Act
      const report = new AwsSolutionsChecks(dev.app, { verbose: true }).validateScope(dev.app);

      // Assess
      const findings = report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
      expect(findings).toEqual([]);
    });

    it('gives every acknowledgement a specific reason', () => {
      // Prepare
      const acknowledgements: Array<{ path: string; id: string; reason: string }> = [];
      const visit = (construct: IConstruct): void => {
        for (const entry of construct.node.metadata) {
          if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
          for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) acknowledgements.push({ path: construct.node.path, id, reason });
        }
        construct.node.children.forEach(visit);
      };
      visit(dev.app);

      // Assess
      expect(acknowledgements.length).toBeGreaterThan(0);
      for (const ack of acknowledgements) {
        expect({ ...ack, specific: ack.reason.length >= 80 && !/^(n\/?a|todo|tbd|ok|fine|not needed|suppress)/i.test(ack.reason) }).toMatchObject({
          specific: true,
        });
      }
    });
  });

  describe('outputs', () => {
    it('names every URL and id an operator needs', () => {
      expect(Object.keys(dev.template.toJSON().Outputs as Json)).toEqual(
        expect.arrayContaining([
          'DashboardUrl',
          'HttpApiUrl',
          'WebSocketUrl',
          'UserPoolId',
          'UserPoolClientId',
          'HostedUiUrl',
          'PosLogGroupName',
          'KioskPolicyArn',
          'IngestFailureQueueUrl',
          'StateMachineArn',
          'JiraSecretName',
          'AlarmTopicArn',
          'DistributionId',
        ]),
      );
    });
  });
});

describe('Stack: StackLens (prod, no Bedrock model)', () => {
  let prod: Synthesized;

  beforeAll(() => {
    prod = synthesize({ stage: 'prod' }, { bundle: false });
  });

  it('protects and retains every table, and keeps the POS log group at its documented name', () => {
    for (const [, table] of resourcesOf(prod.template, 'AWS::DynamoDB::Table')) {
      expect(propertiesOf(table).DeletionProtectionEnabled).toBe(true);
      expect(table.DeletionPolicy).toBe('Retain');
    }
    prod.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/stacklens/pos', RetentionInDays: 90 });
    prod.template.hasResourceProperties('AWS::Cognito::UserPool', { DeletionProtection: 'ACTIVE' });
  });

  it('grants no Bedrock access and sets no model when bedrockModelId is unset, so the built-in analyzer answers', () => {
    // Prepare
    const statements = allStatements(prod.template.toJSON());
    const variables = resourcesOf(prod.template, 'AWS::Lambda::Function').map(([, f]) => JSON.stringify(propertiesOf(f).Environment ?? {}));

    // Assess
    expect(statements.filter((s) => list(s.Action).some((a) => String(a).startsWith('bedrock:')))).toEqual([]);
    expect(variables.filter((v) => v.includes('BEDROCK_MODEL_ID'))).toEqual([]);
  });

  it('is termination-protected and keeps records that failed ingest when the stack is deleted', () => {
    expect(prod.stack.terminationProtection).toBe(true);
    expect(dev.stack.terminationProtection).toBe(false);
    for (const [, queue] of resourcesOf(prod.template, 'AWS::SQS::Queue')) expect(queue.DeletionPolicy).toBe('Retain');
  });

  it('lets CloudWatch alarms of this account publish to the alarm topic, whose TLS-only policy replaces the default', () => {
    const policies = resourcesOf(prod.template, 'AWS::SNS::TopicPolicy').map(([, policy]) => JSON.stringify(propertiesOf(policy).PolicyDocument));
    expect(policies.some((doc) => doc.includes('cloudwatch.amazonaws.com') && doc.includes('sns:Publish') && doc.includes('aws:SourceAccount'))).toBe(true);
  });

  it('creates no user without an adminEmail', () => {
    prod.template.resourceCountIs('AWS::Cognito::UserPoolUser', 0);
  });

  it('still passes every AWS Solutions rule', () => {
    const report = new AwsSolutionsChecks(prod.app).validateScope(prod.app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('Stack: StackLens (kiosks through IAM Roles Anywhere)', () => {
  // Synth only checks the PEM framing; IAM Roles Anywhere parses the certificate at deploy time.
  const CA_BUNDLE = '-----BEGIN CERTIFICATE-----\nMIIBfleetCAforStackLensKiosksTestFixture0000000000000000000000000\n-----END CERTIFICATE-----';
  let withKiosks: Synthesized;

  beforeAll(() => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stacklens-ca-'));
    const file = path.join(dir, 'fleet-ca.pem');
    writeFileSync(file, `${CA_BUNDLE}\n`);
    withKiosks = synthesize({ stage: 'dev', kioskCaBundleFile: file }, { bundle: false });
  });

  it('trusts certificates of the fleet CA and gives them a one-hour session of a role holding only the kiosk policy', () => {
    // Prepare
    const anchor = withKiosks.stack.getLogicalId(withKiosks.stack.kioskIdentity!.trustAnchor);
    const role = logicalIdOf(withKiosks.stack.kioskIdentity!.role);
    const roleProperties = propertiesOf(withKiosks.template.toJSON().Resources[role] as Json);
    const trust = allStatements(roleProperties.AssumeRolePolicyDocument);

    // Assess
    withKiosks.template.hasResourceProperties('AWS::RolesAnywhere::TrustAnchor', {
      Enabled: true,
      Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: CA_BUNDLE } },
    });
    expect(roleProperties.ManagedPolicyArns).toEqual([{ Ref: logicalIdOf(withKiosks.stack.pipeline.kioskPolicy) }]);
    expect(roleProperties.MaxSessionDuration).toBe(3600);
    expect(trust.flatMap((s) => list(s.Action)).sort()).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession']);
    for (const statement of trust) {
      expect(statement).toMatchObject({
        Principal: { Service: 'rolesanywhere.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [anchor, 'TrustAnchorArn'] } } },
      });
    }
    withKiosks.template.hasResourceProperties('AWS::RolesAnywhere::Profile', { RoleArns: [{ 'Fn::GetAtt': [role, 'Arn'] }], DurationSeconds: 3600 });
  });

  it('still passes every AWS Solutions rule', () => {
    const report = new AwsSolutionsChecks(withKiosks.app).validateScope(withKiosks.app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
