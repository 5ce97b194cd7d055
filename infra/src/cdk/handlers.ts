import path from 'node:path';
import { Duration, Tags } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { entryPath, FUNCTION_LIST, REPO_ROOT, type FunctionId } from '../functions.js';
import { acknowledge } from './nag.js';
import type { StageConfig } from './stage.js';

/** The newest Node.js Lambda runtime this aws-cdk-lib knows; cdk-nag's L1 rule holds us to it. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
export const FUNCTION_TAG = 'stacklens:function';

export interface HandlersProps {
  readonly config: StageConfig;
  /** Variables every function gets (table names, retention). */
  readonly environment: Readonly<Record<string, string>>;
  /** Variables one function needs on top, e.g. the state machine ARN for the functions that start executions. */
  readonly extraEnvironment?: Partial<Record<FunctionId, Readonly<Record<string, string>>>>;
}

/**
 * One NodejsFunction per entry of infra/src/functions.ts, bundled locally by esbuild (no Docker), each with its own
 * role and log group: a role starts with nothing but its own log group and X-Ray, and the stack grants the rest.
 */
export class Handlers extends Construct {
  readonly functions: Readonly<Record<FunctionId, NodejsFunction>>;
  readonly roles: Readonly<Record<FunctionId, Role>>;

  constructor(scope: Construct, id: string, props: HandlersProps) {
    super(scope, id);
    const { config } = props;
    const functions: Partial<Record<FunctionId, NodejsFunction>> = {};
    const roles: Partial<Record<FunctionId, Role>> = {};

    for (const spec of FUNCTION_LIST) {
      const functionName = `${spec.name}-${config.stage}`;
      const logGroup = new LogGroup(this, `${spec.id}Logs`, {
        logGroupName: `/aws/lambda/${functionName}`,
        retention: config.logRetention,
        removalPolicy: config.removalPolicy,
      });
      const role = new Role(this, `${spec.id}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `${functionName}: execution role`,
      });
      // What AWSLambdaBasicExecutionRole grants, narrowed from every log group in the account to this function's own.
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));

      const fn = new NodejsFunction(this, spec.id, {
        functionName,
        description: spec.description,
        entry: entryPath(spec),
        handler: spec.exportName,
        runtime: LAMBDA_RUNTIME,
        architecture: Architecture.ARM_64,
        memorySize: spec.memoryMb,
        timeout: Duration.seconds(spec.timeoutSeconds),
        role,
        logGroup,
        loggingFormat: LoggingFormat.JSON,
        tracing: Tracing.ACTIVE,
        projectRoot: REPO_ROOT,
        depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
        environment: {
          POWERTOOLS_SERVICE_NAME: 'stacklens',
          // Per stage, so dev and prod sharing an account do not add up each other's business metrics.
          POWERTOOLS_METRICS_NAMESPACE: `StackLens/${config.stage}`,
          POWERTOOLS_LOG_LEVEL: config.production ? 'INFO' : 'DEBUG',
          // Stack traces in the logs point at functions/src, not at the minified bundle.
          NODE_OPTIONS: '--enable-source-maps',
          ...props.environment,
          ...(props.extraEnvironment?.[spec.id] ?? {}),
        },
        bundling: {
          // Docker is neither needed nor wanted: the esbuild in node_modules bundles in well under a second per function.
          forceDockerBundling: false,
          format: OutputFormat.ESM,
          mainFields: ['module', 'main'],
          // Some CommonJS dependencies call require() for Node built-ins; ESM has no require, so give them one.
          banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
          // The SDK version the tests ran against, not whichever one the runtime image carries this month.
          bundleAwsSDK: true,
          externalModules: [],
          minify: true,
          sourceMap: true,
          sourcesContent: false,
          tsconfig: path.join(REPO_ROOT, 'tsconfig.json'),
          logLevel: LogLevel.WARNING,
        },
      });
      Tags.of(fn).add(FUNCTION_TAG, spec.name);
      acknowledge(
        role,
        'AwsSolutions-IAM5[Resource::*]',
        'Active X-Ray tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions; every other statement of this role names its resources.',
      );
      functions[spec.id] = fn;
      roles[spec.id] = role;
    }
    this.functions = functions as Record<FunctionId, NodejsFunction>;
    this.roles = roles as Record<FunctionId, Role>;
  }
}
