import { Duration } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal, type IManagedPolicy } from 'aws-cdk-lib/aws-iam';
import { CfnProfile, CfnTrustAnchor } from 'aws-cdk-lib/aws-rolesanywhere';
import { Construct } from 'constructs';
import type { StageConfig } from './stage.js';

export interface KioskIdentityProps {
  readonly config: StageConfig;
  /** PEM bundle of the CA that issues kiosk certificates. */
  readonly caBundle: string;
  readonly kioskPolicy: IManagedPolicy;
}

/**
 * Kiosks without long-lived keys: IAM Roles Anywhere trusts certificates issued by the fleet's CA and hands out
 * one-hour sessions of a role that can only ship POS logs. Each kiosk runs aws_signing_helper as the SDK's
 * credential_process (see infra/src/cdk/README.md); revoking a kiosk means revoking its certificate.
 */
export class KioskIdentity extends Construct {
  readonly trustAnchor: CfnTrustAnchor;
  readonly role: Role;
  readonly profile: CfnProfile;

  constructor(scope: Construct, id: string, props: KioskIdentityProps) {
    super(scope, id);
    const { config } = props;
    this.trustAnchor = new CfnTrustAnchor(this, 'TrustAnchor', {
      name: `stacklens-${config.stage}-kiosks`,
      enabled: true,
      source: { sourceType: 'CERTIFICATE_BUNDLE', sourceData: { x509CertificateData: props.caBundle } },
    });

    const onlyThisAnchor = { ArnEquals: { 'aws:SourceArn': this.trustAnchor.attrTrustAnchorArn } };
    this.role = new Role(this, 'Role', {
      description: `StackLens ${config.stage}: POS kiosks authenticated by their X.509 certificate (IAM Roles Anywhere)`,
      assumedBy: new ServicePrincipal('rolesanywhere.amazonaws.com').withConditions(onlyThisAnchor),
      managedPolicies: [props.kioskPolicy],
      maxSessionDuration: Duration.hours(1),
    });
    // Roles Anywhere tags the session with the certificate's subject and sets it as the source identity; the trust
    // policy must allow both, not only sts:AssumeRole.
    this.role.assumeRolePolicy!.addStatements(
      new PolicyStatement({
        principals: [new ServicePrincipal('rolesanywhere.amazonaws.com')],
        actions: ['sts:TagSession', 'sts:SetSourceIdentity'],
        conditions: onlyThisAnchor,
      }),
    );

    this.profile = new CfnProfile(this, 'Profile', {
      name: `stacklens-${config.stage}-kiosk`,
      enabled: true,
      roleArns: [this.role.roleArn],
      durationSeconds: 3600,
    });
  }
}
