import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBedrockDouble } from '../helpers/bedrock-double.js';
import { startTestStack, waitFor, type TestStack } from '../helpers/stack.js';

interface Analysed {
  id: string;
  analysis?: { source: string; fallbackReason?: string; confidence: number };
  timeline: Array<{ step: string; detail?: Record<string, unknown> }>;
}

describe('Workflow: Bedrock unavailable', () => {
  let bedrock: Awaited<ReturnType<typeof startBedrockDouble>>;
  let stack: TestStack;

  beforeAll(async () => {
    bedrock = await startBedrockDouble({ kind: 'throttle' });
    stack = await startTestStack({ bedrock: { modelId: 'anthropic.claude-test-v1:0', endpoint: bedrock.url } });
  });

  afterAll(async () => {
    await stack?.close();
    await bedrock?.close();
  });

  const analysedWithin5s = async (scenario: string, code: string): Promise<Analysed> => {
    const started = Date.now();
    await stack.pos('POST', `/api/scenarios/${scenario}/trigger`, { count: 1 });
    const incident = await waitFor(async () => {
      const list = await stack.api<{ items: Array<{ id: string }> }>('GET', `/api/incidents?code=${code}`);
      const id = list.body.items[0]?.id;
      if (!id) return undefined;
      const detail = await stack.api<Analysed>('GET', `/api/incidents/${id}`);
      return detail.body.analysis ? detail.body : undefined;
    }, `the ${code} analysis`, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    return incident;
  };

  it('answers with the built-in analysis, labelled, when Bedrock throttles', async () => {
    const incident = await analysedWithin5s('payment-gateway-timeout', 'PAYMENT_TIMEOUT');
    expect(bedrock.calls).toBeGreaterThanOrEqual(1);
    expect(incident.analysis!.source).toBe('builtin');
    expect(incident.analysis!.fallbackReason).toMatch(/throttled/);
    expect(incident.timeline.find((t) => t.step === 'analysis')?.detail?.fallbackReason).toMatch(/throttled/);
  });

  it('answers with the built-in analysis, labelled, when Bedrock does not answer at all', async () => {
    bedrock.setBehaviour({ kind: 'hang' });
    const incident = await analysedWithin5s('receipt-printer-jam', 'PRINTER_JAM');
    expect(incident.analysis!.source).toBe('builtin');
    expect(incident.analysis!.fallbackReason).toMatch(/timeout/);
  });
});
