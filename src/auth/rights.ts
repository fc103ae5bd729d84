// What an API key may do. `admin` includes every other right.
export const RIGHTS = ['orders:read', 'orders:write', 'orders:pay', 'admin'] as const;

export type Right = (typeof RIGHTS)[number];

export function isRight(value: string): value is Right {
  return (RIGHTS as readonly string[]).includes(value);
}

export function grants(held: readonly Right[], needed: Right): boolean {
  return held.includes('admin') || held.includes(needed);
}
