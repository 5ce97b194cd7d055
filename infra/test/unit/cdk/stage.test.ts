import { describe, expect, it } from '@jest/globals';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { stageConfig, StageConfigError } from '../../../src/cdk/stage.js';

const configFor = (context: Record<string, unknown>) => stageConfig(new App({ context }).node);

describe('Function: stageConfig', () => {
  it('defaults to a disposable dev stage with its own POS log group', () => {
    // Act
    const config = configFor({});

    // Assess
    expect(config).toMatchObject({
      stage: 'dev',
      production: false,
      removalPolicy: RemovalPolicy.DESTROY,
      posLogGroupName: '/stacklens/pos-dev',
      retentionDays: 30,
    });
    expect(config.bedrockModelId).toBeUndefined();
    expect(config.adminEmail).toBeUndefined();
  });

  it('retains data in prod and ships kiosks to /stacklens/pos', () => {
    // Act
    const config = configFor({ stage: 'prod' });

    // Assess
    expect(config).toMatchObject({
      production: true,
      removalPolicy: RemovalPolicy.RETAIN,
      posLogGroupName: '/stacklens/pos',
      logRetention: RetentionDays.THREE_MONTHS,
    });
  });

  it('normalises the admin e-mail and splits the Jira host list', () => {
    // Act
    const config = configFor({ adminEmail: ' Ops@Example.COM ', jiraAllowHosts: 'jira.example.com, JIRA2.example.com:8443,' });

    // Assess
    expect(config.adminEmail).toBe('ops@example.com');
    expect(config.jiraAllowHosts).toEqual(['jira.example.com', 'jira2.example.com:8443']);
  });

  it.each([
    [{ stage: 'staging' }, 'stage'],
    [{ adminEmail: 'not-an-address' }, 'adminEmail'],
    [{ authDomainPrefix: 'my-cognito-login' }, 'authDomainPrefix'],
    [{ logRetentionDays: '10' }, 'logRetentionDays'],
    [{ domainName: 'stacklens.example.com' }, 'domainName'],
    [{ domainName: 'stacklens.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }, 'us-east-1'],
    [{ bedrockModelId: 'model id with spaces' }, 'bedrockModelId'],
  ])('refuses %j, naming %s', (context, named) => {
    // Act + Assess
    expect(() => configFor(context)).toThrow(StageConfigError);
    expect(() => configFor(context)).toThrow(named);
  });
});
