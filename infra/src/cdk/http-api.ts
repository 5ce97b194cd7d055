import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_ROUTES, PUBLIC_ROUTES, type ApiRouteKey } from '../../../functions/src/handlers/api.js';
import { acknowledge } from './nag.js';
import type { StageConfig } from './stage.js';

export interface StackLensHttpApiProps {
  readonly config: StageConfig;
}

export interface HttpApiRoutingProps {
  readonly handler: IFunction;
  readonly userPool: IUserPool;
  readonly client: IUserPoolClient;
}

const PUBLIC_ROUTE_REASON: Record<string, string> = {
  'GET /api/health':
    'The health check is public on purpose: load balancers and uptime monitors call it without a token, and it reports only component up/down and skipped-record counts.',
  'POST /api/auth/login':
    'The password sign-in route must be reachable without a token to issue one; behind Cognito it answers 404 (sign in through the hosted UI) and never reads a user record.',
};

/**
 * The HTTP API, routed from API_ROUTES in functions/src/handlers/api.ts (the list the local gateway serves too):
 * every route except PUBLIC_ROUTES carries the Cognito JWT authorizer.
 */
export class StackLensHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly routes = new Map<ApiRouteKey, HttpRoute>();

  constructor(scope: Construct, id: string, props: StackLensHttpApiProps) {
    super(scope, id);
    const { config } = props;

    this.api = new HttpApi(this, 'Api', {
      apiName: `stacklens-${config.stage}`,
      description: `StackLens ${config.stage}: dashboard API`,
      // Our own $default stage below, because only an explicit stage takes access log settings.
      createDefaultStage: false,
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: config.logRetention, removalPolicy: config.removalPolicy });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No headers and no query string: the Authorization header never reaches a log.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            route: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            user: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });
  }

  /**
   * Adds every route of API_ROUTES to one integration. Separate from the constructor because the authorizer needs the
   * app client, whose callback URL needs the distribution, which needs this API to exist.
   */
  route(props: HttpApiRoutingProps): void {
    if (this.routes.size > 0) throw new Error('The HTTP API routes were already added');
    const integration = new HttpLambdaIntegration('Handler', props.handler);
    const authorizer = new HttpUserPoolAuthorizer('Cognito', props.userPool, { userPoolClients: [props.client], authorizerName: 'cognito' });
    for (const key of API_ROUTES) {
      const [method, path] = key.split(' ') as [keyof typeof HttpMethod, string];
      const isPublic = PUBLIC_ROUTES.has(key);
      const [route] = this.api.addRoutes({ path, methods: [HttpMethod[method]], integration, ...(isPublic ? {} : { authorizer }) });
      if (!route) throw new Error(`No route was created for ${key}`);
      if (isPublic) {
        const reason = PUBLIC_ROUTE_REASON[key];
        if (!reason) throw new Error(`${key} is public in PUBLIC_ROUTES but this stack does not know why; add its reason to PUBLIC_ROUTE_REASON`);
        acknowledge(route, 'AwsSolutions-APIG4', reason);
        acknowledge(route, 'AwsSolutions-COG4', reason);
      }
      this.routes.set(key, route);
    }
  }

  /** `https://<api-id>.execute-api.<region>.amazonaws.com` */
  get url(): string {
    return this.api.apiEndpoint;
  }
}
