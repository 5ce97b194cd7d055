// Property-based tests of the workflow task schema (handlers/workflow.ts) and the WebSocket handlers
// (handlers/websocket.ts): every task of the documented shape reaches the matching workflow step with exactly its
// arguments, anything else is refused with WorkflowInputError before any step runs; a socket is admitted only with a
// valid token, refused with exactly 'Unauthorized' otherwise, and whatever a dashboard sends is ignored.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { LocalTokenService } from '../../../src/auth/local-auth.js';
import { createWorkflowHandler } from '../../../src/handlers/workflow.js';
import { createConnectionHandler, createWebSocketAuthorizer } from '../../../src/handlers/websocket.js';
import type { ConnectionStore } from '../../../src/ports.js';
import { IncidentWorkflow, WorkflowInputError } from '../../../src/use-cases/workflow.js';
import { recorder, type Call } from './doubles.js';
import { anyJson, hostileText } from './arbitraries.js';

// ── Workflow tasks ─────────────────────────────────────────────────────────────────────────────────────────────────

const MODES = ['new', 'regression', 'recurrence', 'manual', 'reanalyze'] as const;
const input = fc.record(
  {
    incidentId: fc.stringMatching(/^[0-9a-f]{16}$/),
    mode: fc.constantFrom(...MODES),
    execution: fc.string({ minLength: 1, maxLength: 80 }),
    previousOccurrences: fc.nat(),
  },
  { requiredKeys: ['incidentId', 'mode', 'execution'] },
);
type Input = { incidentId: string; mode: string; execution: string; previousOccurrences?: number };

/** A valid task and the workflow call it must turn into. */
const task: fc.Arbitrary<{ task: Record<string, unknown>; call: Call }> = fc.oneof(
  input.map((i: Input) => ({ task: { action: 'analyze', input: i }, call: { method: 'analyze', args: [i.incidentId] } })),
  // No top-level "__proto__" key: zod rebuilds the record by assignment, which makes such a key the prototype instead
  // of a field (never reaching the workflow as data); the other dictionaries here leave it out for the same reason.
  fc
    .tuple(
      input,
      fc.dictionary(
        fc.string().filter((k) => k !== '__proto__'),
        anyJson,
      ),
    )
    .map(([i, analysis]: [Input, Record<string, unknown>]) => ({
      task: { action: 'recordAnalysis', input: i, analysis },
      call: { method: 'recordAnalysis', args: [i.incidentId, analysis] },
    })),
  input.map((i: Input) => ({ task: { action: 'decideTicket', input: i }, call: { method: 'decideTicket', args: [i] } })),
  fc.tuple(input, fc.string({ minLength: 1 })).map(([i, deadline]: [Input, string]) => ({
    task: { action: 'createTicket', input: i, deadline },
    call: { method: 'createTicket', args: [i.incidentId, i.execution, deadline] },
  })),
  fc
    .tuple(
      input,
      fc.constantFrom('created', 'failed', 'in_progress'),
      fc.dictionary(
        fc.string().filter((k) => k !== 'status' && k !== '__proto__'),
        anyJson,
        { maxKeys: 3 },
      ),
    )
    .map(([i, status, more]: [Input, string, Record<string, unknown>]) => {
      const outcome = { ...more, status };
      return { task: { action: 'recordTicket', input: i, outcome }, call: { method: 'recordTicket', args: [i.incidentId, outcome] } };
    }),
  input.map((i: Input) => ({ task: { action: 'comment', input: i }, call: { method: 'comment', args: [i] } })),
  fc
    .tuple(input, fc.string({ minLength: 1, maxLength: 40 }), fc.record({ Error: fc.string(), Cause: fc.string() }, { requiredKeys: [] }))
    .map(([i, step, error]: [Input, string, Record<string, string>]) => ({
      task: { action: 'recordFailure', input: i, step, error },
      call: { method: 'recordFailure', args: [i.incidentId, step, error, i.execution] },
    })),
  input.map((i: Input) => ({ task: { action: 'notify', input: i }, call: { method: 'notifyDone', args: [i.incidentId] } })),
);

/** Ways to take a valid task outside the schema. */
const broken: fc.Arbitrary<(t: Record<string, unknown>) => unknown> = fc.oneof(
  fc
    .string()
    .filter((a) => !['analyze', 'recordAnalysis', 'decideTicket', 'createTicket', 'recordTicket', 'comment', 'recordFailure', 'notify'].includes(a))
    .map((action) => (t: Record<string, unknown>) => ({ ...t, action })),
  fc.constant((t: Record<string, unknown>) => ({ ...t, input: undefined })),
  fc
    .oneof(
      hostileText(30).filter((id) => !/^[0-9a-f]{16}$/.test(id)),
      fc.stringMatching(/^[0-9A-F]{16}$/).filter((id) => /[A-F]/.test(id)),
    )
    .map((incidentId) => (t: Record<string, unknown>) => ({ ...t, input: { ...(t.input as object), incidentId } })),
  fc
    .oneof(
      fc.constantFrom('New', 'resolve', ''),
      anyJson.filter((v) => typeof v !== 'string'),
    )
    .map((mode) => (t: Record<string, unknown>) => ({ ...t, input: { ...(t.input as object), mode } })),
  fc
    .oneof(fc.constant(''), fc.string({ minLength: 81, maxLength: 90 }), fc.integer())
    .map((execution) => (t: Record<string, unknown>) => ({ ...t, input: { ...(t.input as object), execution } })),
  fc
    .oneof(fc.constantFrom(-1, 1.5, '3'), fc.constant(null))
    .map((previousOccurrences) => (t: Record<string, unknown>) => ({ ...t, input: { ...(t.input as object), previousOccurrences } })),
  anyJson.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((value) => () => value),
);
/** Breaks the field only some actions carry: their task without it, or with it outside its shape. */
const brokenActionField: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  input.map((i) => ({ action: 'recordAnalysis', input: i, analysis: 'not an object' })),
  input.map((i) => ({ action: 'createTicket', input: i, deadline: '' })),
  input.map((i) => ({ action: 'createTicket', input: i })),
  fc
    .tuple(
      input,
      fc.string().filter((s) => !['created', 'failed', 'in_progress'].includes(s)),
    )
    .map(([i, status]) => ({ action: 'recordTicket', input: i, outcome: { status } })),
  fc
    .tuple(input, fc.oneof(fc.constant(''), fc.string({ minLength: 41, maxLength: 50 })))
    .map(([i, step]) => ({ action: 'recordFailure', input: i, step, error: {} })),
  input.map((i) => ({ action: 'recordFailure', input: i, step: 'analysis', error: { Error: 5 } })),
);

describe('Property: workflow task schema', () => {
  it('runs the matching workflow step with exactly the task arguments for every task of the documented shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        task,
        fc.dictionary(
          fc.string().filter((k) => k !== 'action' && k !== '__proto__'),
          fc.string(),
          { maxKeys: 2 },
        ),
        async ({ task: t, call }, unknownKeys) => {
          const calls: Call[] = [];
          const handler = createWorkflowHandler(recorder<IncidentWorkflow>(calls, { [call.method]: () => 'done' }));
          // Keys the schema does not name are dropped, not refused: the state machine adds its own bookkeeping.
          const result = await handler({ ...unknownKeys, ...t });
          expect(calls).toEqual([call]);
          expect(['done', { recorded: true }, { notified: true }]).toContainEqual(result);
        },
      ),
      { numRuns: 1_500 },
    );
  });

  it('refuses every task outside the schema with WorkflowInputError and runs no step', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.tuple(task, broken).map(([{ task: t }, breakIt]) => breakIt(t)),
          brokenActionField,
        ),
        async (bad) => {
          const calls: Call[] = [];
          const handler = createWorkflowHandler(recorder<IncidentWorkflow>(calls));
          const error = await handler(bad).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(WorkflowInputError);
          expect((error as Error).message.startsWith('Invalid workflow task: ')).toBe(true);
          expect(calls).toEqual([]);
        },
      ),
      { numRuns: 1_500 },
    );
  });
});

// ── WebSocket ──────────────────────────────────────────────────────────────────────────────────────────────────────

const KEY = new Uint8Array(32).fill(7);
const OTHER_KEY = new Uint8Array(32).fill(9);
const NOW = new Date('2026-11-26T12:00:00.000Z');

function authorizerEvent(query: Record<string, string> | null): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:api/$connect',
    queryStringParameters: query,
  } as unknown as APIGatewayRequestAuthorizerEvent;
}

describe('Property: WebSocket $connect authorizer', () => {
  const tokens = new LocalTokenService(KEY, () => NOW);
  const foreign = new LocalTokenService(OTHER_KEY, () => NOW);
  const authorize = createWebSocketAuthorizer(tokens);
  const subject = fc.stringMatching(/^[a-z]{1,10}@[a-z]{1,8}\.example$/);

  it('admits a valid token as its subject and role, and refuses anything else with exactly "Unauthorized"', async () => {
    const tokenArb = fc.oneof(
      fc.tuple(subject, fc.constantFrom('admin' as const, 'viewer' as const)).map(([s, role]) => ({ kind: 'valid' as const, s, role })),
      fc.tuple(subject, fc.constantFrom('admin' as const, 'viewer' as const)).map(([s, role]) => ({ kind: 'foreign' as const, s, role })),
      fc.oneof(hostileText(200), fc.constantFrom('', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')).map((raw) => ({ kind: 'junk' as const, raw })),
    );
    await fc.assert(
      fc.asyncProperty(
        tokenArb,
        fc.dictionary(
          fc.string().filter((k) => k !== 'token'),
          fc.string(),
          { maxKeys: 2 },
        ),
        async (t, otherParams) => {
          const token = t.kind === 'junk' ? t.raw : (await (t.kind === 'valid' ? tokens : foreign).issue({ subject: t.s, role: t.role })).token;
          const outcome = await authorize(authorizerEvent({ ...otherParams, ...(token === '' && t.kind === 'junk' ? {} : { token }) })).then(
            (policy) => ({ policy }),
            (error: unknown) => ({ error }),
          );
          if (t.kind === 'valid') {
            expect('policy' in outcome && outcome.policy.context).toEqual({ subject: t.s, role: t.role });
            expect('policy' in outcome && outcome.policy.policyDocument.Statement).toEqual([
              { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: authorizerEvent(null).methodArn },
            ]);
          } else {
            expect('error' in outcome && (outcome.error as Error).message).toBe('Unauthorized');
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('Property: WebSocket connection handler', () => {
  it('adds on $connect, removes on $disconnect, and ignores whatever else arrives, always answering 200', async () => {
    const eventArb = fc.record({
      routeKey: fc.oneof(fc.constantFrom('$connect', '$disconnect', '$default'), fc.string()),
      connectionId: fc.string({ minLength: 1, maxLength: 40 }),
      subject: fc.option(fc.string(), { nil: undefined }),
      body: fc.option(
        fc.oneof(
          hostileText(500),
          anyJson.map((v) => JSON.stringify(v)),
        ),
        { nil: undefined },
      ),
    });
    await fc.assert(
      fc.asyncProperty(eventArb, async ({ routeKey, connectionId, subject, body }) => {
        const calls: Call[] = [];
        const handler = createConnectionHandler(recorder<ConnectionStore>(calls), () => NOW);
        const event = {
          requestContext: { connectionId, routeKey, ...(subject === undefined ? {} : { authorizer: { subject } }) },
          ...(body === undefined ? {} : { body }),
        };
        expect(await handler(event as never)).toEqual({ statusCode: 200 });
        if (routeKey === '$connect')
          expect(calls).toEqual([{ method: 'add', args: [{ connectionId, subject: subject ?? 'unknown', connectedAt: NOW.toISOString() }] }]);
        else if (routeKey === '$disconnect') expect(calls).toEqual([{ method: 'remove', args: [connectionId] }]);
        else expect(calls).toEqual([]);
      }),
      { numRuns: 1_000 },
    );
  });
});
