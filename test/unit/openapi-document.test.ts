import { readFileSync } from 'node:fs';

// The checked-in document (which the gateway serves, see test/api/http.test.ts) describes every
// operation fully enough for Swagger UI's "Try it out" and for client generators.

interface Operation {
  operationId?: string;
  summary?: string;
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
}

const document = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { in: string; name: string }> };
};

const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation] as const),
);

describe('openapi/openapi.json', () => {
  it('has the token security scheme', () => {
    expect(document.components.securitySchemes.token).toMatchObject({ type: 'apiKey', in: 'header', name: 'token' });
  });

  it('covers every route of the contract and the additions', () => {
    expect(operations.map(([name]) => name).sort()).toEqual([
      'DELETE /System/ApiKeys/{apiKeyId}',
      'DELETE /System/Events/{id}',
      'DELETE /System/Orders/{orderId}',
      'DELETE /System/Orders/{orderId}/item/{itemId}',
      'GET /System/ApiKeys',
      'GET /System/ApiKeys/{apiKeyId}',
      'GET /System/Events',
      'GET /System/Events/{id}',
      'GET /System/Events/{id}/deliveries',
      'GET /System/Events/{id}/deliveries/{deliveryId}',
      'GET /System/Lists/DeliveryMethods',
      'GET /System/Lists/OrderCategories',
      'GET /System/Lists/Shippers',
      'GET /System/Lists/Shippers/{shipperId}',
      'GET /System/Orders',
      'GET /System/Orders/Statuses',
      'GET /System/Orders/Statuses/{statusId}',
      'GET /System/Orders/{orderId}',
      'GET /System/Orders/{orderId}/history',
      'GET /health/live',
      'GET /health/ready',
      'PATCH /System/ApiKeys/{apiKeyId}',
      'PATCH /System/Orders/batch',
      'PATCH /System/Orders/{orderId}/cancel',
      'PATCH /System/Orders/{orderId}/delivered',
      'PATCH /System/Orders/{orderId}/done',
      'PATCH /System/Orders/{orderId}/paid',
      'PATCH /System/Orders/{orderId}/sent',
      'PATCH /System/Orders/{orderId}/status',
      'POST /System/ApiKeys',
      'POST /System/Events',
      'POST /System/Events/{id}/deliveries/{deliveryId}/replay',
      'POST /System/Events/{id}/replay',
      'POST /System/Events/{id}/secret',
      'POST /System/Orders',
      'POST /System/Orders/batch',
      'POST /System/Orders/{orderId}/history',
      'POST /System/Orders/{orderId}/item',
      'POST /System/Orders/{orderId}/refunds',
      'POST /System/Orders/{orderId}/restore',
      'POST /System/Orders/{orderId}/resync',
      'POST /System/Orders/{orderId}/tracking',
      'PUT /System/Events',
      'PUT /System/Orders',
      'PUT /System/Orders/{orderId}/item',
    ]);
  });

  const keyed = operations.filter(([name]) => !name.includes(' /health/'));

  it.each(operations)('%s is documented', (_name, operation) => {
    expect(operation.summary).toBeTruthy();
    expect(operation.operationId).toMatch(/^[a-z][A-Za-z]+$/);
    const success = Object.keys(operation.responses).filter((status) => status.startsWith('2'));
    expect(success.length).toBeGreaterThan(0);
    for (const status of success) {
      expect(operation.responses[status]?.content?.['application/json']?.schema).toBeDefined();
    }
  });

  it.each(keyed)('%s names the token and its problem answers', (_name, operation) => {
    expect(operation.security).toEqual([{ token: [] }]);
    for (const status of ['400', '401', '403', '429']) {
      expect(operation.responses[status]?.content?.['application/problem+json']?.schema).toEqual({
        $ref: '#/components/schemas/ErrorModel',
      });
    }
  });

  it('offers Idempotency-Key on every write, and If-Match on writes to an order', () => {
    const parameterNames = (operation: Operation) =>
      ((operation as { parameters?: Array<{ name: string }> }).parameters ?? []).map((parameter) => parameter.name);
    // Answers shown only once (a key, a secret) are not stored, and a replay replays each time.
    const once = [
      'POST /System/ApiKeys',
      'POST /System/Events',
      'POST /System/Events/{id}/secret',
      'POST /System/Events/{id}/replay',
      'POST /System/Events/{id}/deliveries/{deliveryId}/replay',
    ];
    for (const [name, operation] of keyed) {
      const write = /^(POST|PUT|PATCH|DELETE) /.test(name);
      if (write && !once.includes(name)) expect(parameterNames(operation)).toContain('Idempotency-Key');
      else expect(parameterNames(operation)).not.toContain('Idempotency-Key');
    }
    expect(parameterNames(operations.find(([name]) => name === 'PATCH /System/Orders/{orderId}/paid')![1])).toEqual(
      expect.arrayContaining(['If-Match', 'Idempotency-Key']),
    );
  });

  it('resolves every $ref', () => {
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map(
      (match) => match[1]!,
    );
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) expect(Object.keys(document.components.schemas)).toContain(ref);
  });

  it('gives request fields examples', () => {
    const body = document.components.schemas.OrderPostRequest as { properties: Record<string, { example?: unknown }> };
    for (const field of ['email', 'name', 'order_currency_code', 'external_order_id']) {
      expect(body.properties[field]?.example).toBeDefined();
    }
  });
});
