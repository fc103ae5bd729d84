/** Retailys writes date-times as PHP's DATE_ATOM: 2024-05-02T08:15:00+00:00 (UTC here). */
export function toAtom(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export function toAtomOrNull(date: Date | null): string | null {
  return date ? toAtom(date) : null;
}
