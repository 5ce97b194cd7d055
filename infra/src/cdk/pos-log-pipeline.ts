import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { FilterPattern, LogGroup, SubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ERROR_FILTER_PATTERN, SUBSCRIPTION_FILTER_NAME } from '../pipeline.js';
import { acknowledge, wildcardResourceFinding } from './nag.js';
import type { StageConfig } from './stage.js';

export interface PosLogPipelineProps {
  readonly config: StageConfig;
  readonly ingest: IFunction;
  readonly alarmTopic: ITopic;
}

/**
 * Kiosks → the POS log group → (error records only) → the ingest function. CloudWatch Logs invokes the function
 * asynchronously: Lambda retries a failed batch twice, then parks it on the failure queue, which raises an alarm.
 */
export class PosLogPipeline extends Construct {
  readonly logGroup: LogGroup;
  readonly failures: Queue;
  readonly failureAlarm: Alarm;
  /** Attach to the kiosks' identity: it can create its own stream and write events, nothing else. */
  readonly kioskPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: PosLogPipelineProps) {
    super(scope, id);
    const { config, ingest } = props;

    this.logGroup = new LogGroup(this, 'PosLogs', {
      logGroupName: config.posLogGroupName,
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });

    // The exact pattern the local CloudWatch Logs endpoint evaluates (infra/src/pipeline.ts).
    new SubscriptionFilter(this, 'Errors', {
      logGroup: this.logGroup,
      filterName: SUBSCRIPTION_FILTER_NAME,
      filterPattern: FilterPattern.literal(ERROR_FILTER_PATTERN),
      destination: new LambdaDestination(ingest),
    });

    this.failures = new Queue(this, 'IngestFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS allows: time to fix the cause and replay the batches by hand.
      retentionPeriod: Duration.days(14),
      // Failed error records are data: a production teardown must not delete them with the stack.
      removalPolicy: config.removalPolicy,
    });
    acknowledge(
      this.failures,
      'AwsSolutions-SQS3',
      'This queue is the terminal on-failure destination of the ingest function (a dead-letter queue in all but name); a queue behind it would only move the same records again. Its depth alarms.',
    );
    ingest.configureAsyncInvoke({
      onFailure: new SqsDestination(this.failures),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });

    this.failureAlarm = new Alarm(this, 'IngestFailuresAlarm', {
      alarmDescription: `StackLens ${config.stage}: POS error records failed ingest after retries and wait on the failure queue. Fix the cause (see the ingest function's logs), then replay the queued records to the ingest function (docs/deploy.md).`,
      metric: this.failures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.failureAlarm.addAlarmAction(new SnsAction(props.alarmTopic));
    this.failureAlarm.addOkAction(new SnsAction(props.alarmTopic));

    const streams = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `${config.posLogGroupName}:log-stream:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.kioskPolicy = new ManagedPolicy(this, 'KioskPolicy', {
      description: `StackLens ${config.stage}: what a POS kiosk agent may do - create its stream in ${config.posLogGroupName} and put events into it`,
      statements: [new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [streams] })],
    });
    acknowledge(
      this.kioskPolicy,
      wildcardResourceFinding(this, streams),
      'Each kiosk names its own stream (<store>/<kiosk>) when it first ships, so streams cannot be listed in advance; the wildcard stays inside the POS log group.',
    );
  }
}
