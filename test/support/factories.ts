import type { TestGateway } from './gateway.js';

// Valid request bodies with one line of overrides, and helpers that create through the API.

let sequence = 0;

export function itemBody(overrides: Record<string, unknown> = {}) {
  return { article_number: '1001', name: 'Coffee mug', count: 2, price: { base_price: 10, vat: 21 }, ...overrides };
}

export function orderBody(overrides: Record<string, unknown> = {}) {
  sequence += 1;
  return {
    email: `customer${sequence}@example.cz`,
    name: 'Jan Novák',
    street: 'Dlouhá 1',
    city: 'Praha',
    zip: '11000',
    state_code: 'CZ',
    order_currency_code: 'EUR',
    items: [itemBody()],
    ...overrides,
  };
}

export async function createOrder(gateway: TestGateway, overrides: Record<string, unknown> = {}): Promise<number> {
  const response = await gateway.post('/System/Orders', orderBody(overrides));
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${JSON.stringify(response.body)}`);
  return (response.body as { id: number }).id;
}

// An order as the API answers it; tests read its fields freely.
export type OrderJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function getOrder(gateway: TestGateway, id: number, expanded = false): Promise<OrderJson> {
  const response = await gateway.get(`/System/Orders/${id}${expanded ? '?expanded=true' : ''}`);
  if (response.status !== 200) throw new Error(`get failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as OrderJson;
}

export async function historyOf(gateway: TestGateway, id: number) {
  const response = await gateway.get(`/System/Orders/${id}/history?per_page=250`);
  if (response.status !== 200) throw new Error(`history failed: ${response.status}`);
  return (response.body as { history: Array<Record<string, any>> }).history; // eslint-disable-line @typescript-eslint/no-explicit-any
}
