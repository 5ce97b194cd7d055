import { AnyPrincipal, Effect, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import { CfnSecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './nag.js';
import type { StageConfig } from './stage.js';

export interface JiraSecretProps {
  readonly config: StageConfig;
}

/**
 * The Jira Cloud API token. Created without a value: the admin UI (PUT /api/integrations/jira) or DevOps
 * (`aws secretsmanager put-secret-value`) fills it, and the functions use a new value within a minute (their cache
 * lifetime) without a redeploy. Only the functions that talk to Jira may read it.
 */
export class JiraSecret extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: JiraSecretProps) {
    super(scope, id);
    const { config } = props;
    this.secret = new Secret(this, 'Token', {
      secretName: `stacklens/${config.stage}/jira-api-token`,
      description: `StackLens ${config.stage}: Jira Cloud API token (set from the admin UI or with put-secret-value)`,
      removalPolicy: config.removalPolicy,
    });
    // Secret always generates a random value unless told otherwise; a made-up token would look configured and fail
    // at Jira. Without GenerateSecretString (and SecretString) CloudFormation creates the secret with no value.
    (this.secret.node.defaultChild as CfnSecret).addPropertyDeletionOverride('GenerateSecretString');
    acknowledge(
      this.secret,
      'AwsSolutions-SMG4',
      'A Jira Cloud API token can only be created by a person in their Atlassian account, so no rotation Lambda can mint one; rotation is manual and documented in infra/src/cdk/README.md (put a new value; it is used within a minute).',
    );
  }

  /**
   * Read (and, for the admin API, write) access for the Jira functions, and a resource policy refusing every other
   * principal in the account, so an IAM policy elsewhere that grants secretsmanager:* cannot read the token either.
   */
  restrictTo(readers: readonly IRole[], writers: readonly IRole[]): void {
    for (const role of readers) this.secret.grantRead(role);
    for (const role of writers)
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['secretsmanager:PutSecretValue'], resources: [this.secret.secretArn] }));
    this.secret.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['secretsmanager:GetSecretValue'],
        // In a secret's resource policy "*" means this secret.
        resources: ['*'],
        conditions: { StringNotEquals: { 'aws:PrincipalArn': readers.map((r) => r.roleArn) } },
      }),
    );
  }
}
