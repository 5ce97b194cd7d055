import { ArnFormat, Stack } from 'aws-cdk-lib';
import { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledge, wildcardResourceFinding } from './nag.js';
import type { StageConfig } from './stage.js';

export interface LiveApiProps {
  readonly config: StageConfig;
  readonly connectionHandler: IFunction;
  readonly authorizerHandler: IFunction;
}

export const LIVE_STAGE_NAME = 'live';

/**
 * The dashboard's live feed: a WebSocket API whose $connect runs a Lambda authorizer on `?token=` (browsers cannot
 * set headers on a WebSocket). Connections are recorded in DynamoDB by the connection handler; the notifier posts to
 * them through the management endpoint and deletes those that answer 410 Gone.
 */
export class LiveApi extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;

  constructor(scope: Construct, id: string, props: LiveApiProps) {
    super(scope, id);
    const { config } = props;
    const connections = new WebSocketLambdaIntegration('Connections', props.connectionHandler);

    this.api = new WebSocketApi(this, 'Api', {
      apiName: `stacklens-live-${config.stage}`,
      description: `StackLens ${config.stage}: live incident feed`,
      connectRouteOptions: {
        integration: connections,
        authorizer: new WebSocketLambdaAuthorizer('CognitoToken', props.authorizerHandler, {
          authorizerName: 'cognito-token',
          identitySource: ['route.request.querystring.token'],
        }),
      },
      disconnectRouteOptions: { integration: connections },
      defaultRouteOptions: { integration: connections },
    });
    for (const route of ['$disconnect', '$default']) {
      const child = this.api.node.tryFindChild(`${route}-Route`);
      if (!child) throw new Error(`WebSocketApi did not create the ${route} route under the expected id`);
      const reason = `API Gateway runs WebSocket authorizers on $connect only; ${route} messages can only arrive on a connection whose $connect the Cognito token authorizer already allowed.`;
      acknowledge(child, 'AwsSolutions-APIG4', reason);
    }

    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: LIVE_STAGE_NAME,
      autoDeploy: true,
      throttle: { rateLimit: 20, burstLimit: 50 },
    });
    acknowledge(
      this.stage,
      'AwsSolutions-APIG1',
      'WebSocket access logging needs the account-wide API Gateway CloudWatch role, which this stack must not take over from other stacks in the account; every $connect/$disconnect is logged (with the caller) by the connection function and every refusal by the authorizer function.',
    );
  }

  /** `wss://<api-id>.execute-api.<region>.amazonaws.com/live`: what the dashboard connects to. */
  get url(): string {
    return this.stage.url;
  }

  /** `https://<api-id>.execute-api.<region>.amazonaws.com/live`: where PostToConnection calls go (WS_MANAGEMENT_ENDPOINT). */
  get managementEndpoint(): string {
    return this.stage.callbackUrl;
  }

  /** PostToConnection only (DeleteConnection and GetConnection are not used), on this API's stage. */
  grantPostToConnections(role: IRole): void {
    const resource = Stack.of(this).formatArn({
      service: 'execute-api',
      resource: this.api.apiId,
      resourceName: `${LIVE_STAGE_NAME}/POST/@connections/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['execute-api:ManageConnections'], resources: [resource] }));
    acknowledge(
      role,
      wildcardResourceFinding(this, resource),
      "Connection ids are minted by API Gateway at $connect time, so PostToConnection cannot name them in advance; the grant is limited to POST on this API's live stage.",
    );
  }
}
