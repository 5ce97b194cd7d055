import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { STATE_MACHINE_NAME, WORKFLOW_ASL_FILE } from '../workflow.js';
import { acknowledge } from './nag.js';
import type { StageConfig } from './stage.js';

export interface IncidentWorkflowProps {
  readonly config: StageConfig;
  readonly workflowFunction: IFunction;
  readonly alarmTopic: ITopic;
}

/** The state machine of infra/workflow/incident-workflow.asl.json, the same file the local runtime executes. */
export class IncidentWorkflow extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: IncidentWorkflowProps) {
    super(scope, id);
    const { config, workflowFunction } = props;

    const logs = new LogGroup(this, 'ExecutionLogs', {
      // The /aws/vendedlogs/ prefix keeps Step Functions' log delivery within the log resource policy size limit.
      logGroupName: `/aws/vendedlogs/states/${STATE_MACHINE_NAME}-${config.stage}`,
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: `${STATE_MACHINE_NAME}-${config.stage}`,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(WORKFLOW_ASL_FILE),
      definitionSubstitutions: { WorkflowFunctionArn: workflowFunction.functionArn },
      // Jira's retry budget (12 attempts, up to a minute apart) fits comfortably; anything longer is stuck.
      timeout: Duration.hours(2),
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
      removalPolicy: config.removalPolicy,
    });

    // The definition comes from a file, so CDK cannot see which functions it calls: say it here, for exactly one.
    this.stateMachine.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [workflowFunction.functionArn] }));
    acknowledge(
      this.stateMachine.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Step Functions log delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray (PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) support no resource-level permissions; the only other statement names the workflow function.',
    );

    const failed = new Alarm(this, 'ExecutionsFailed', {
      alarmDescription: `StackLens ${config.stage}: an incident workflow execution failed, timed out or was aborted (its incident kept its data, but the analysis or ticket may be missing). See the execution history.`,
      metric: new MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ statistic: 'Sum' }),
          timedOut: this.stateMachine.metricTimedOut({ statistic: 'Sum' }),
          aborted: this.stateMachine.metricAborted({ statistic: 'Sum' }),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    failed.addAlarmAction(new SnsAction(props.alarmTopic));
    failed.addOkAction(new SnsAction(props.alarmTopic));
  }
}
