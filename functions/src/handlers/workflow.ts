import { z } from 'zod';
import { INCIDENT_ID_PATTERN } from '../domain/incident.js';
import { IncidentWorkflow, WorkflowInputError } from '../use-cases/workflow.js';
import { buildServices, buildWorkflow } from '../wiring.js';
import { configFromEnv } from '../config.js';
import { lambdaEntry, lambdaWiring, metrics, recordWorkflowMetrics } from './observability.js';

const id = z.string().regex(INCIDENT_ID_PATTERN);
const mode = z.enum(['new', 'regression', 'recurrence', 'manual', 'reanalyze']);
const workflowInput = z.object({ incidentId: id, mode, execution: z.string().min(1).max(80), previousOccurrences: z.number().int().nonnegative().optional() });

/** One Lambda serves every task state of the incident workflow; `action` says which step this invocation is. */
const payload = z.discriminatedUnion('action', [
  z.object({ action: z.literal('analyze'), input: workflowInput }),
  z.object({ action: z.literal('recordAnalysis'), input: workflowInput, analysis: z.record(z.string(), z.unknown()) }),
  z.object({ action: z.literal('decideTicket'), input: workflowInput }),
  z.object({ action: z.literal('createTicket'), input: workflowInput, deadline: z.string().min(1) }),
  z.object({ action: z.literal('recordTicket'), input: workflowInput, outcome: z.object({ status: z.enum(['created', 'failed', 'in_progress']) }).passthrough() }),
  z.object({ action: z.literal('comment'), input: workflowInput }),
  z.object({ action: z.literal('recordFailure'), input: workflowInput, step: z.string().min(1).max(40), error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).passthrough() }),
  z.object({ action: z.literal('notify'), input: workflowInput }),
]);

export type WorkflowTask = z.infer<typeof payload>;

export function createWorkflowHandler(workflow: IncidentWorkflow) {
  return async (event: unknown): Promise<unknown> => {
    const parsed = payload.safeParse(event);
    if (!parsed.success) throw new WorkflowInputError(`Invalid workflow task: ${z.prettifyError(parsed.error)}`);
    const task = parsed.data;
    const { incidentId } = task.input;
    switch (task.action) {
      case 'analyze':
        return workflow.analyze(incidentId);
      case 'recordAnalysis':
        await workflow.recordAnalysis(incidentId, task.analysis as never);
        return { recorded: true };
      case 'decideTicket':
        return workflow.decideTicket(task.input);
      case 'createTicket':
        return workflow.createTicket(incidentId, task.input.execution, task.deadline);
      case 'recordTicket':
        await workflow.recordTicket(incidentId, task.outcome as never);
        return { recorded: true };
      case 'comment':
        return workflow.comment(task.input);
      case 'recordFailure':
        await workflow.recordFailure(incidentId, task.step, task.error, task.input.execution);
        return { recorded: true };
      case 'notify':
        await workflow.notifyDone(incidentId);
        return { notified: true };
    }
  };
}

let lambdaHandler: ReturnType<typeof createWorkflowHandler> | undefined;

export const handler = lambdaEntry(async (event: unknown) => {
  if (!lambdaHandler) {
    const config = configFromEnv();
    lambdaHandler = createWorkflowHandler(buildWorkflow(config, buildServices(config, lambdaWiring), {}, lambdaWiring));
  }
  const result = await lambdaHandler(event);
  // The handler answers only for a task that passed its schema.
  recordWorkflowMetrics(metrics, event as WorkflowTask, result);
  return result;
});
