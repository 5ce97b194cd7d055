import { Stack, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * Registers the AWS Solutions rules as a validation plugin: a finding that is not acknowledged fails `cdk synth`.
 * Verbose so the synth output says why each rule exists, not only that it fired.
 */
export function registerNag(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

/**
 * Acknowledges one cdk-nag finding on one construct (and its children). Always one finding id per call, e.g.
 * `AwsSolutions-IAM5[Resource::*]`, with the reason this resource is fine as it is.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The id cdk-nag gives a wildcard resource (`AwsSolutions-IAM5[Resource::...]`), computed the way cdk-nag computes it
 * (references become `<LogicalId.Attr>`, pseudo parameters `<AWS::Region>`), so an acknowledgement keeps matching
 * whether the stack is synthesized for a concrete account and region or environment-agnostic.
 */
export function wildcardResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}]`;
}
