/** Instants are stored and exchanged as ISO 8601 strings in UTC, which sort as they compare. */
export function iso(date: Date): string {
  return date.toISOString();
}

export function addMinutes(at: string, minutes: number): string {
  return new Date(Date.parse(at) + minutes * 60_000).toISOString();
}
