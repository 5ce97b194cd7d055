import { Aws, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { HttpApi, WebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { PolicyStatement, Role, ServicePrincipal, type Policy } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import { acknowledge } from './nag.js';
import type { StageConfig } from './stage.js';

/** What the dashboard reads from /config.json at start-up (web/src/lib/config.ts), in its deployed, Cognito form. */
export interface DashboardRuntimeConfig {
  readonly apiBaseUrl: string;
  readonly wsUrl: string;
  readonly auth: { readonly mode: 'cognito'; readonly domain: string; readonly clientId: string; readonly redirectUri: string };
}

export interface DashboardProps {
  readonly config: StageConfig;
  /** Served under /api/* from the same origin, so the dashboard needs no CORS and keeps `apiBaseUrl: '/api'`. */
  readonly httpApi: HttpApi;
  /** Allowed as a `connect-src` of the content security policy. */
  readonly liveApi: WebSocketApi;
  /** The hosted UI origin (`https://<prefix>.auth.<region>.amazoncognito.com`), allowed for the PKCE token exchange. */
  readonly hostedUiOrigin: string;
}

// Client-side routes (/incidents/abc) have no file behind them: serve the app shell for any path without an
// extension. Attached to the S3 behaviour only, so API 403s and 404s reach the browser as they are.
const SPA_ROUTING = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.lastIndexOf('.') <= uri.lastIndexOf('/')) request.uri = '/index.html';
  return request;
}`;

/**
 * The dashboard: a private bucket that only CloudFront (Origin Access Control) can read, served over HTTPS with
 * security headers; /api/* goes to the HTTP API through the same distribution.
 */
export class Dashboard extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<domain>/` */
  readonly url: string;
  /** What deploy() wrote to config.json (with deploy-time tokens), for tests and the outputs. */
  runtimeConfig?: DashboardRuntimeConfig;
  private readonly config: StageConfig;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const { config } = props;
    this.config = config;

    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // The build is reproducible from git; retaining keeps a failed rollback from leaving CloudFront without an origin.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'Holds only the public dashboard build and config.json; nobody but CloudFront (OAC) reads it and only the deployment writes it, so request-level access logs would record nothing that CloudTrail does not.',
    );

    const wsOrigin = `wss://${props.liveApi.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    const csp = Fn.join('; ', [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      Fn.join(' ', ["connect-src 'self'", wsOrigin, props.hostedUiOrigin]),
      Fn.join(' ', ["form-action 'self'", props.hostedUiOrigin]),
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "object-src 'none'",
    ]);
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `StackLens ${config.stage}: security headers`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [{ header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()', override: true }],
      },
    });

    const spaRouting = new EdgeFunction(this, 'SpaRouting', {
      comment: 'Serves index.html for client-side routes',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(SPA_ROUTING),
    });

    const apiOrigin = new HttpOrigin(`${props.httpApi.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
    });

    this.distribution = new Distribution(this, 'Cdn', {
      comment: `StackLens ${config.stage} dashboard`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: spaRouting, eventType: FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
      additionalBehaviors: {
        '/api/*': {
          origin: apiOrigin,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          // Nothing is cached, which is also what lets the Authorization header through to API Gateway.
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
        },
      },
      ...(config.customDomain
        ? {
            domainNames: [config.customDomain.domainName],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', config.customDomain.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      ...(config.webAclArn ? { webAclId: config.webAclArn } : {}),
    });
    this.url = config.customDomain ? `https://${config.customDomain.domainName}/` : `https://${this.distribution.distributionDomainName}/`;

    const acks: Array<[string, string]> = [
      [
        'AwsSolutions-CFR1',
        'Stores, support staff and admins sit in several countries and every dashboard and API request needs a Cognito token, so a country allow-list would only block legitimate users travelling.',
      ],
      [
        'AwsSolutions-CFR3',
        'The distribution serves a static build and proxies /api/*; API requests are access-logged on the HTTP API stage, and static file hits carry nothing worth keeping.',
      ],
    ];
    if (!config.webAclArn) {
      acks.push([
        'AwsSolutions-CFR2',
        'No web ACL unless context webAclArn names one (a CLOUDFRONT-scope ACL must live in us-east-1 and is usually shared account-wide); the API behind /api/* is throttled per stage and every non-public route requires a Cognito JWT.',
      ]);
    }
    if (!config.customDomain) {
      acks.push([
        'AwsSolutions-CFR4',
        'Without a custom domain the distribution uses the *.cloudfront.net certificate, whose minimum protocol CloudFront fixes at TLSv1; set context domainName + certificateArn to get TLSv1.2_2021.',
      ]);
    }
    for (const [rule, reason] of acks) acknowledge(this.distribution, rule, reason);
  }

  /**
   * Uploads the web build and a generated config.json: one build serves every stage, the stage's URLs and Cognito ids
   * are written at deploy time. Hashed assets first (cacheable for a year), then index.html and config.json (always
   * revalidated), so a browser never gets an index.html whose scripts are not uploaded yet. Nothing is pruned: a tab
   * opened before the deploy can still load the chunks of the build it started with.
   */
  deploy(assetDir: string, runtimeConfig: DashboardRuntimeConfig): void {
    if (this.runtimeConfig) throw new Error('The dashboard is already deployed by this stack');
    this.runtimeConfig = runtimeConfig;
    const logs = new LogGroup(this, 'DeploymentLogs', { retention: this.config.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'StackLens: uploads the dashboard build to its bucket and invalidates CloudFront',
    });
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logs.logGroupArn] }));

    const shared = { destinationBucket: this.bucket, role, logGroup: logs, memoryLimit: 512, prune: false };
    const assets = new BucketDeployment(this, 'Assets', {
      ...shared,
      sources: [Source.asset(assetDir, { exclude: ['index.html'] })],
      cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.days(365)), CacheControl.immutable()],
    });
    const entry = new BucketDeployment(this, 'Entry', {
      ...shared,
      sources: [Source.asset(assetDir, { exclude: ['*', '!index.html'] }), Source.jsonData('config.json', runtimeConfig)],
      // no-cache: CloudFront keeps these for its policy's 1-second minimum only, so a deploy shows within a second
      // without an invalidation (and without granting the handler cloudfront:CreateInvalidation).
      cacheControl: [CacheControl.noCache()],
    });
    entry.node.addDependency(assets);

    acknowledgeDeploymentHandler(this, role, this.bucket);
  }
}

/**
 * The findings of CDK's BucketDeployment handler, which this stack configures but does not write: its grants use
 * wildcards that CDK chooses. Each one is matched and acknowledged with its own reason; anything unexpected (a CDK
 * upgrade granting more) fails the synth instead of being waved through.
 */
function acknowledgeDeploymentHandler(scope: Dashboard, role: Role, bucket: Bucket): void {
  const stack = Stack.of(scope);
  const policy = role.node.tryFindChild('DefaultPolicy') as Policy | undefined;
  if (!policy) throw new Error('BucketDeployment granted its handler nothing: the dashboard deployment is not wired');
  const document = stack.resolve(policy.document.toJSON()) as { Statement: Array<{ Effect: string; Action: string | string[]; Resource: unknown }> };
  const siteObjects = flattenCfnReference(stack.resolve(bucket.arnForObjects('*')));
  const reasons = new Map<string, string>([
    ['Action::s3:GetObject*', 'BucketDeployment reads the staged build archive (GetObject, GetObjectVersion and friends) from the CDK asset bucket.'],
    ['Action::s3:GetBucket*', 'BucketDeployment reads the location and versioning of the asset and dashboard buckets it copies between.'],
    ['Action::s3:List*', 'BucketDeployment lists the dashboard bucket to sync the build into it (aws s3 sync).'],
    [
      'Action::s3:DeleteObject*',
      'BucketDeployment replaces objects of the dashboard bucket; pruning is off, so in practice it overwrites index.html and config.json.',
    ],
    ['Action::s3:Abort*', 'BucketDeployment aborts its own failed multipart uploads to the dashboard bucket.'],
    [`Resource::${siteObjects}`, 'BucketDeployment writes the dashboard build: every object of the dashboard bucket, and only of it.'],
  ]);
  const assetBucket = /^Resource::arn:(?:aws[\w-]*|<AWS::Partition>):s3:::cdk-[a-z0-9]+-assets-[^/]+\/\*$/;
  for (const statement of document.Statement.filter((st) => st.Effect === 'Allow')) {
    const actions = ([] as string[])
      .concat(statement.Action)
      .filter((a) => a.includes('*'))
      .map((a) => `Action::${a}`);
    const resources = ([] as unknown[])
      .concat(statement.Resource)
      .map((r) => `Resource::${flattenCfnReference(r)}`)
      .filter((r) => r.includes('*'));
    for (const finding of [...actions, ...resources]) {
      const reason =
        reasons.get(finding) ??
        (assetBucket.test(finding)
          ? 'BucketDeployment reads the build archive CDK staged in its bootstrap asset bucket; object keys are content hashes known only at deploy time.'
          : undefined);
      if (!reason) throw new Error(`BucketDeployment's handler has an unexpected wildcard permission (${finding}); review it before acknowledging`);
      acknowledge(role, `AwsSolutions-IAM5[${finding}]`, reason);
    }
  }
  for (const child of stack.node.children) {
    if (child.node.id.startsWith('Custom::CDKBucketDeployment')) {
      acknowledge(
        child,
        'AwsSolutions-L1',
        "CDK's own BucketDeployment handler (Python, aws s3 sync); its runtime is pinned by aws-cdk-lib and moves with CDK upgrades, and it runs only during deployments.",
      );
    }
  }
}
