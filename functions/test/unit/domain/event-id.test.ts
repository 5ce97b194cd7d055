import { describe, expect, it } from '@jest/globals';
import { splitStableId } from '../../../src/domain/event-id.js';

describe('Function: splitStableId', () => {
  it('separates the agent id from the record', () => {
    expect(splitStableId('sl1:0123456789ab:1k [2026-11-26T12:00:00.000Z] [ERROR] boom')).toEqual({
      stableId: 'sl1:0123456789ab:1k',
      message: '[2026-11-26T12:00:00.000Z] [ERROR] boom',
    });
    expect(splitStableId('sl1:agent-drop:3 [2026-11-26T12:00:00.000Z] [ERROR] AGENT_BUFFER_OVERFLOW')).toEqual({
      stableId: 'sl1:agent-drop:3',
      message: '[2026-11-26T12:00:00.000Z] [ERROR] AGENT_BUFFER_OVERFLOW',
    });
  });

  it.each([
    ['a record without one', '[2026-11-26T12:00:00.000Z] [ERROR] boom'],
    ['an id that is not at the start', 'x sl1:0123456789ab:1k boom'],
    ['a file key of the wrong length', 'sl1:0123456789a:1k boom'],
    ['upper-case hex', 'sl1:0123456789AB:1k boom'],
    ['no space after the id', 'sl1:0123456789ab:1kboom'],
  ])('leaves %s untouched', (_name, message) => {
    expect(splitStableId(message)).toEqual({ message });
  });
});
