import { Arn, ArnFormat, Aws, CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { Dashboard } from './dashboard.js';
import { DataTables } from './data-tables.js';
import { Handlers } from './handlers.js';
import { StackLensHttpApi } from './http-api.js';
import { hostedUiOrigin, Identity } from './identity.js';
import { IncidentWorkflow } from './incident-workflow.js';
import { JiraSecret } from './jira-secret.js';
import { KioskIdentity } from './kiosk-identity.js';
import { LiveApi } from './live-api.js';
import { acknowledge, wildcardResourceFinding } from './nag.js';
import { PosLogPipeline } from './pos-log-pipeline.js';
import type { StageConfig } from './stage.js';

export interface StackLensStackProps extends StackProps {
  readonly config: StageConfig;
  /** The built dashboard (web/dist): index.html and its assets. */
  readonly dashboardAssetDir: string;
}

/**
 * StackLens in AWS: the same handlers as the local runtime (infra/src/functions.ts), fed by the POS log group's
 * subscription, orchestrated by the shared ASL workflow, and served to a Cognito-protected dashboard.
 */
export class StackLensStack extends Stack {
  readonly config: StageConfig;
  readonly tables: DataTables;
  readonly handlers: Handlers;
  readonly pipeline: PosLogPipeline;
  readonly workflow: IncidentWorkflow;
  readonly httpApi: StackLensHttpApi;
  readonly liveApi: LiveApi;
  readonly identity: Identity;
  readonly dashboard: Dashboard;
  readonly jiraSecret: JiraSecret;
  readonly alarms: Topic;
  /** Present when context kioskCaBundleFile names the fleet CA. */
  readonly kioskIdentity?: KioskIdentity;

  constructor(scope: Construct, id: string, props: StackLensStackProps) {
    super(scope, id, {
      description: `StackLens (${props.config.stage}): real-time error monitoring for POS fleets`,
      // A production stack holds the incident history: deleting it takes a deliberate extra step.
      terminationProtection: props.config.stage === 'prod',
      ...props,
    });
    const config = (this.config = props.config);
    Tags.of(this).add('application', 'stacklens');
    Tags.of(this).add('stage', config.stage);

    const alarms = (this.alarms = new Topic(this, 'Alarms', { displayName: `StackLens ${config.stage} alarms`, enforceSSL: true }));
    // enforceSSL gives the topic a resource policy, which replaces SNS's default one: without this statement CloudWatch
    // alarms in this account could not publish to it.
    alarms.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [alarms.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    if (config.alarmEmail) alarms.addSubscription(new EmailSubscription(config.alarmEmail));

    this.tables = new DataTables(this, 'Data', { config });
    this.handlers = new Handlers(this, 'Functions', {
      config,
      environment: { ...this.tables.environment(), STACKLENS_RETENTION_DAYS: String(config.retentionDays) },
    });
    const fn = this.handlers.functions;
    const role = this.handlers.roles;

    this.jiraSecret = new JiraSecret(this, 'Jira', { config });
    this.liveApi = new LiveApi(this, 'Live', { config, connectionHandler: fn.wsConnection, authorizerHandler: fn.wsAuthorizer });
    this.httpApi = new StackLensHttpApi(this, 'Http', { config });
    this.dashboard = new Dashboard(this, 'Dashboard', { config, httpApi: this.httpApi.api, liveApi: this.liveApi.api, hostedUiOrigin: hostedUiOrigin(config) });
    this.identity = new Identity(this, 'Identity', { config, dashboardUrl: this.dashboard.url });
    this.httpApi.route({ handler: fn.api, userPool: this.identity.userPool, client: this.identity.client });
    this.dashboard.deploy(props.dashboardAssetDir, {
      apiBaseUrl: '/api',
      wsUrl: this.liveApi.url,
      auth: { mode: 'cognito', domain: this.identity.hostedUiUrl, clientId: this.identity.client.userPoolClientId, redirectUri: this.dashboard.url },
    });

    this.pipeline = new PosLogPipeline(this, 'Pipeline', { config, ingest: fn.ingest, alarmTopic: alarms });
    if (config.kioskCaBundle) {
      this.kioskIdentity = new KioskIdentity(this, 'Kiosks', { config, caBundle: config.kioskCaBundle, kioskPolicy: this.pipeline.kioskPolicy });
    }
    this.workflow = new IncidentWorkflow(this, 'Workflow', { config, workflowFunction: fn.workflow, alarmTopic: alarms });

    // Data: each function gets the tables its code paths touch, and nothing for the rest.
    this.tables.grantData(fn.api, ['incidents', 'occurrences', 'timeline', 'connections', 'settings', 'audit']);
    this.tables.grantData(fn.ingest, ['incidents', 'occurrences', 'timeline', 'connections', 'settings']);
    this.tables.grantData(fn.workflow, ['incidents', 'occurrences', 'timeline', 'connections', 'settings']);
    this.tables.grantData(fn.wsConnection, ['connections']);

    // Live feed: whoever publishes (ingest, API actions, workflow steps) posts to connections and prunes 410s.
    const management = { WS_MANAGEMENT_ENDPOINT: this.liveApi.managementEndpoint };
    for (const id of ['api', 'ingest', 'workflow'] as const) {
      this.liveApi.grantPostToConnections(role[id]);
      for (const [key, value] of Object.entries(management)) fn[id].addEnvironment(key, value);
    }

    // Workflow: ingest starts executions for new incidents and recurrences, the API for manual tickets and re-analysis.
    for (const starter of [fn.ingest, fn.api]) {
      this.workflow.stateMachine.grantStartExecution(starter);
      starter.addEnvironment('STATE_MACHINE_ARN', this.workflow.stateMachine.stateMachineArn);
    }

    // Jira: the workflow reads the token; the API reads it (connection test) and writes it (admin settings).
    this.jiraSecret.restrictTo([role.api, role.workflow], [role.api]);
    for (const jira of [fn.api, fn.workflow]) {
      jira.addEnvironment('JIRA_SECRET_NAME', this.jiraSecret.secret.secretName);
      if (config.jiraAllowHosts.length > 0) jira.addEnvironment('STACKLENS_JIRA_ALLOW_HOSTS', config.jiraAllowHosts.join(','));
    }
    fn.workflow.addEnvironment('STACKLENS_DASHBOARD_URL', this.dashboard.url);

    // Fleet panel: the API lists the POS log group's streams (last ingestion per kiosk).
    fn.api.addEnvironment('POS_LOG_GROUP', this.pipeline.logGroup.logGroupName);
    fn.api.addToRolePolicy(new PolicyStatement({ actions: ['logs:DescribeLogStreams'], resources: [this.pipeline.logGroup.logGroupArn] }));

    // WebSocket $connect: tokens are checked against the pool, in code, because API Gateway has no JWT authorizer there.
    fn.wsAuthorizer.addEnvironment('COGNITO_USER_POOL_ID', this.identity.userPool.userPoolId);
    fn.wsAuthorizer.addEnvironment('COGNITO_CLIENT_ID', this.identity.client.userPoolClientId);
    fn.wsAuthorizer.addEnvironment('COGNITO_REGION', Aws.REGION);

    if (config.bedrockModelId) this.grantBedrock(config.bedrockModelId);

    this.outputs();
  }

  /**
   * InvokeModel (which Converse uses) on the configured model only. An inference profile id (`us.`, `eu.`, `apac.`,
   * `global.` prefix) needs the profile and the underlying model in every region the profile routes to.
   */
  private grantBedrock(modelId: string): void {
    const workflow = this.handlers.functions.workflow;
    workflow.addEnvironment('BEDROCK_MODEL_ID', modelId);
    const profile = /^(us|eu|apac|us-gov|global)\.(.+)$/.exec(modelId);
    const resources = modelId.startsWith('arn:')
      ? [modelId]
      : profile
        ? [
            Arn.format({ service: 'bedrock', resource: 'inference-profile', resourceName: modelId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }, this),
            `arn:${Aws.PARTITION}:bedrock:*::foundation-model/${profile[2]}`,
          ]
        : [`arn:${Aws.PARTITION}:bedrock:${Aws.REGION}::foundation-model/${modelId}`];
    workflow.addToRolePolicy(new PolicyStatement({ actions: ['bedrock:InvokeModel'], resources }));
    if (profile) {
      acknowledge(
        this.handlers.roles.workflow,
        wildcardResourceFinding(this, resources[1]!),
        `Cross-region inference profile ${modelId} routes each request to one of several regions chosen by Bedrock, and the call needs InvokeModel on ${profile[2]} in whichever it picks; the model is fixed, only the region is open.`,
      );
    }
  }

  private outputs(): void {
    const out = (id: string, value: string, description: string): void => {
      new CfnOutput(this, id, { value, description });
    };
    out('DashboardUrl', this.dashboard.url, 'Open this in a browser');
    out('DistributionId', this.dashboard.distribution.distributionId, 'CloudFront distribution (for manual invalidations)');
    out('DashboardBucket', this.dashboard.bucket.bucketName, 'S3 bucket holding the dashboard build');
    out('HttpApiUrl', this.httpApi.url, 'HTTP API, direct (the dashboard uses <DashboardUrl>/api)');
    out('WebSocketUrl', this.liveApi.url, 'Live feed WebSocket (append ?token=<Cognito ID token>)');
    out('UserPoolId', this.identity.userPool.userPoolId, 'Cognito user pool: add users and put them in the admin or viewer group');
    out('UserPoolClientId', this.identity.client.userPoolClientId, 'Cognito app client of the dashboard');
    out('HostedUiUrl', this.identity.hostedUiUrl, 'Cognito hosted UI');
    out('PosLogGroupName', this.pipeline.logGroup.logGroupName, 'Log group the kiosk agents ship to (their logGroup setting)');
    out('KioskPolicyArn', this.pipeline.kioskPolicy.managedPolicyArn, 'Attach to the kiosk identity (Roles Anywhere role or per-store IAM user)');
    out('IngestFailureQueueUrl', this.pipeline.failures.queueUrl, 'Records that failed ingest after retries; replay them to the ingest function after fixing the cause (docs/deploy.md)');
    out('StateMachineArn', this.workflow.stateMachine.stateMachineArn, 'Incident workflow');
    out('JiraSecretName', this.jiraSecret.secret.secretName, 'Jira API token: set it in the dashboard, or put-secret-value with --secret-string file://token.txt (docs/deploy.md)');
    out('AlarmTopicArn', this.alarms.topicArn, 'SNS topic of the StackLens alarms: subscribe on-call here');
    if (this.kioskIdentity) {
      out('KioskTrustAnchorArn', this.kioskIdentity.trustAnchor.attrTrustAnchorArn, 'aws_signing_helper --trust-anchor-arn');
      out('KioskProfileArn', this.kioskIdentity.profile.attrProfileArn, 'aws_signing_helper --profile-arn');
      out('KioskRoleArn', this.kioskIdentity.role.roleArn, 'aws_signing_helper --role-arn');
    }
    for (const [id, table] of Object.entries(this.tables.tables)) out(`Table${id[0]!.toUpperCase()}${id.slice(1)}`, table.tableName, `DynamoDB table: ${id}`);
  }
}
