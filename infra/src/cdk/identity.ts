import { Aws, Duration } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolUser,
  CfnUserPoolUserToGroupAttachment,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
  type UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledge } from './nag.js';
import type { StageConfig } from './stage.js';

/** The Cognito groups `caller()` (functions/src/handlers/http.ts) and the WebSocket verifier read roles from. */
export const ROLE_GROUPS = ['admin', 'viewer'] as const;

export interface IdentityProps {
  readonly config: StageConfig;
  /** Where the hosted UI sends users back to after sign-in and sign-out (the dashboard's root, with a trailing slash). */
  readonly dashboardUrl: string;
}

/** Prefixes are unique per region across all accounts, so the default carries the account id. */
export function hostedUiDomainPrefix(config: StageConfig): string {
  return config.authDomainPrefix ?? `stacklens-${config.stage}-${Aws.ACCOUNT_ID}`;
}

/** `https://<prefix>.auth.<region>.amazoncognito.com`, known before the domain resource exists (for the CSP). */
export function hostedUiOrigin(config: StageConfig): string {
  return `https://${hostedUiDomainPrefix(config)}.auth.${Aws.REGION}.amazoncognito.com`;
}

/** Who may use the dashboard: a closed user pool (no self sign-up), the hosted UI, and the dashboard's app client. */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  readonly groups: Readonly<Record<(typeof ROLE_GROUPS)[number], UserPoolGroup>>;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const { config, dashboardUrl } = props;

    this.userPool = new UserPool(this, 'Users', {
      userPoolName: `stacklens-${config.stage}`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Plus: every sign-in is scored for risk and checked against known-compromised credentials, for a handful of users.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      userInvitation: {
        emailSubject: 'Your StackLens account',
        emailBody: `You have been invited to StackLens (${config.stage}). Sign in at ${dashboardUrl} as {username} with the temporary password {####}; you will choose your own password, and can turn on an authenticator app under your account.`,
      },
      deletionProtection: config.production,
      removalPolicy: config.removalPolicy,
    });
    acknowledge(
      this.userPool,
      'AwsSolutions-COG2',
      'MFA is optional by product decision (issue 6): TOTP is offered to every user, SMS is off, and Plus threat protection (full function) scores every sign-in for risk and compromised credentials; store managers who only view incidents sign in from shared back-office PCs without a second device.',
    );

    this.groups = {
      admin: this.userPool.addGroup('AdminGroup', { groupName: 'admin', description: 'Change settings, tickets and users', precedence: 0 }),
      viewer: this.userPool.addGroup('ViewerGroup', { groupName: 'viewer', description: 'Read incidents and the live feed', precedence: 10 }),
    };

    this.domain = this.userPool.addDomain('HostedUi', { cognitoDomain: { domainPrefix: hostedUiDomainPrefix(config) } });

    this.client = this.userPool.addClient('Dashboard', {
      userPoolClientName: 'stacklens-dashboard',
      // A browser app cannot keep a secret; the code flow uses PKCE instead.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [dashboardUrl],
        logoutUrls: [dashboardUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });

    if (config.adminEmail) {
      // Cognito e-mails the invitation with a temporary password. Changing adminEmail later replaces this user.
      const admin = new CfnUserPoolUser(this, 'FirstAdmin', {
        userPoolId: this.userPool.userPoolId,
        username: config.adminEmail,
        desiredDeliveryMediums: ['EMAIL'],
        userAttributes: [
          { name: 'email', value: config.adminEmail },
          { name: 'email_verified', value: 'true' },
        ],
      });
      const membership = new CfnUserPoolUserToGroupAttachment(this, 'FirstAdminIsAdmin', {
        userPoolId: this.userPool.userPoolId,
        groupName: 'admin',
        username: admin.ref,
      });
      membership.node.addDependency(this.groups.admin);
    }
  }

  /** `https://<prefix>.auth.<region>.amazoncognito.com` */
  get hostedUiUrl(): string {
    return this.domain.baseUrl();
  }
}
