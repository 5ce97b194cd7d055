// The kiosk agent puts a stable id in front of every record it ships (pos-agent/src/agent/event-id.ts): the file it
// came from and the offset of its first line. CloudWatch Logs assigns a new event id to a re-sent copy; this one does
// not change, so ingest counts an error line once however often the agent had to send it.

const STABLE_ID = /^sl1:([0-9a-f]{12}|agent-[a-z]{1,16}):([0-9a-z]{1,13}) /;

export interface SplitMessage {
  /** `sl1:<file key>:<offset>`, when the record carries one. */
  readonly stableId?: string;
  /** The record as the POS wrote it. */
  readonly message: string;
}

export function splitStableId(message: string): SplitMessage {
  const match = STABLE_ID.exec(message);
  if (match === null) return { message };
  return { stableId: match[0].slice(0, -1), message: message.slice(match[0].length) };
}
