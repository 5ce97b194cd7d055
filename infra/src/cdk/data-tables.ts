import { Arn, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TABLE_ENV, type TableId } from '../../../functions/src/config.js';
import { TABLES, type KeyAttribute } from '../tables.js';
import type { StageConfig } from './stage.js';

/**
 * The DynamoDB actions the adapters in functions/src/adapters/dynamodb send (Get/Put/Update/Delete, Query, Scan,
 * BatchGet/BatchWrite). A new command there needs its action here, or the call fails with AccessDenied in AWS.
 */
export const DATA_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
] as const;

const attribute = (key: KeyAttribute): Attribute => ({ name: key.name, type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER });

/** Every table of infra/src/tables.ts: on demand, point-in-time recovery, KMS encryption, TTL where data expires. */
export class DataTables extends Construct {
  readonly tables: Readonly<Record<TableId, Table>>;

  constructor(scope: Construct, id: string, props: { readonly config: StageConfig }) {
    super(scope, id);
    const { config } = props;
    const tables: Partial<Record<TableId, Table>> = {};
    for (const spec of TABLES) {
      const table = new Table(this, spec.id, {
        partitionKey: attribute(spec.partitionKey),
        ...(spec.sortKey ? { sortKey: attribute(spec.sortKey) } : {}),
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // The account's aws/dynamodb key: encrypted at rest with a key whose use is logged in CloudTrail, and no key
        // policy or grants to maintain (a customer key adds both for no reader we need to exclude).
        encryption: TableEncryption.AWS_MANAGED,
        ...(spec.ttlAttribute ? { timeToLiveAttribute: spec.ttlAttribute } : {}),
        deletionProtection: config.production,
        removalPolicy: config.removalPolicy,
      });
      for (const index of spec.globalIndexes ?? []) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: attribute(index.partitionKey),
          ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
        });
      }
      tables[spec.id] = table;
    }
    this.tables = tables as Record<TableId, Table>;
  }

  /** Every table's physical name under the variable configFromEnv reads it from (each handler reads all six). */
  environment(): Record<string, string> {
    return Object.fromEntries((Object.keys(this.tables) as TableId[]).map((id) => [TABLE_ENV[id], this.tables[id].tableName]));
  }

  /**
   * Data access to the named tables and their indexes, by name: no `index/*` wildcard, so a grant covers exactly the
   * indexes tables.ts declares.
   */
  grantData(grantee: IGrantable, ids: readonly TableId[]): void {
    const resources = ids.flatMap((id) => {
      const table = this.tables[id];
      const spec = TABLES.find((t) => t.id === id)!;
      const stack = Stack.of(this);
      const indexes = (spec.globalIndexes ?? []).map((index) =>
        Arn.format({ service: 'dynamodb', resource: 'table', resourceName: `${table.tableName}/index/${index.name}` }, stack),
      );
      return [table.tableArn, ...indexes];
    });
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: [...DATA_ACTIONS], resources }));
  }
}
