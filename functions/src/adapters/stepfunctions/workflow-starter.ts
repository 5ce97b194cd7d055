import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { WorkflowInput } from '../../use-cases/workflow.js';

export interface WorkflowStarter {
  /** Starts the incident workflow under a deterministic name; a second start with the same name is a no-op. */
  start(input: WorkflowInput): Promise<'started' | 'exists'>;
}

export class StepFunctionsStarter implements WorkflowStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: WorkflowInput): Promise<'started' | 'exists'> {
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: input.execution, input: JSON.stringify(input) }));
      return 'started';
    } catch (error) {
      // Standard workflows never reuse a name: a redelivered ingest event or a double click cannot start a second run.
      if (error instanceof ExecutionAlreadyExists) return 'exists';
      throw error;
    }
  }
}

/** Execution names: ≤ 80 characters of [A-Za-z0-9_-], one per incident and purpose. */
export function executionName(incidentId: string, purpose: string): string {
  return `incident-${incidentId}-${purpose}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);
}

export function createSfnClient(region: string, endpoint: string | undefined): SFNClient {
  return new SFNClient({ region, ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}) });
}
