// Byte-level helpers shared by the tailer (line cap) and the batcher (event cap): both cut UTF-8 at a byte budget
// and must not leave half a character behind (it would decode to U+FFFD and look like corruption).

/** Length of `bytes` without an incomplete character at its very end (e.g. a buffer filled up to a byte cap). */
export function trimIncompleteUtf8Tail(bytes: Uint8Array): number {
  const length = bytes.length;
  let lead = length - 1;
  while (lead >= 0 && length - lead <= 4 && ((bytes[lead] ?? 0) & 0xc0) === 0x80) lead -= 1;
  if (lead < 0) return length;
  const first = bytes[lead] ?? 0;
  const needed = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1;
  return length - lead < needed ? lead : length;
}

export function truncationMarker(droppedBytes: number): string {
  return `…[truncated ${droppedBytes} bytes]`;
}

/**
 * Cuts `text` so that its UTF-8 encoding plus the truncation marker fits `maxBytes`.
 * Returns the text unchanged when it already fits.
 */
export function truncateUtf8(text: string, maxBytes: number): { text: string; droppedBytes: number } {
  const totalBytes = Buffer.byteLength(text, 'utf8');
  if (totalBytes <= maxBytes) return { text, droppedBytes: 0 };
  const bytes = Buffer.from(text, 'utf8');
  // The marker's length depends on the number it prints; the total byte count bounds that number from above.
  const markerBudget = Buffer.byteLength(truncationMarker(totalBytes), 'utf8');
  const keep = trimIncompleteUtf8Tail(bytes.subarray(0, Math.max(0, maxBytes - markerBudget)));
  const droppedBytes = totalBytes - keep;
  return { text: bytes.toString('utf8', 0, keep) + truncationMarker(droppedBytes), droppedBytes };
}
