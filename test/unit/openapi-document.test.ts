import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

// The checked-in document (which the gateway serves, see test/api/http.test.ts) describes every
// operation fully enough for Swagger UI's "Try it out" and for client generators.

interface Operation {
  operationId?: string;
  summary?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<Record<string, unknown>>;
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
      'GET /System/Lists/Articles',
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

  it.each(keyed)('%s names the key schemes and its problem answers', (name, operation) => {
    // The hash opens one order, and only by GET.
    const byHash = name === 'GET /System/Orders/{orderId}' ? [{ order_hash: [] }] : [];
    expect(operation.security).toEqual([{ token: [] }, { bearer: [] }, ...byHash]);
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

  it('states that the health probes need no key', () => {
    for (const [name, operation] of operations) {
      if (name.includes(' /health/')) expect(operation.security).toEqual([]);
    }
  });

  it('compiles under ajv in strict mode, as validating proxies compile it', () => {
    // ajv knows OpenAPI's `nullable` (and refuses it without a `type` beside it); the other
    // OpenAPI-only keywords are annotations to it.
    const ajv = new Ajv({ strict: true, allErrors: true, validateFormats: false });
    ajv.addVocabulary(['example', 'xml', 'externalDocs', 'discriminator']);
    const schemas = JSON.parse(
      JSON.stringify(document.components.schemas).replaceAll('"#/components/schemas/', '"openapi#/$defs/'),
    ) as Record<string, unknown>;
    ajv.addSchema({ $id: 'openapi', $defs: schemas });
    for (const name of Object.keys(schemas)) {
      expect(() => ajv.getSchema(`openapi#/$defs/${name}`)).not.toThrow();
    }
  });

  it('types path ids as integers and boolean query flags as the text clients send', () => {
    for (const [name, operation] of operations) {
      for (const parameter of operation.parameters ?? []) {
        const schema = parameter.schema as Record<string, unknown>;
        if (parameter.in === 'path' && parameter.name === 'deliveryId') {
          expect(schema).toEqual({ type: 'string', pattern: '^[1-9][0-9]{0,18}$', maxLength: 19 });
        } else if (parameter.in === 'path') {
          expect([name, schema]).toEqual([name, { type: 'integer', format: 'int32', minimum: 1, maximum: 2147483647 }]);
        }
        expect([name, parameter.name, schema.type]).not.toEqual([name, parameter.name, 'boolean']);
      }
    }
    const list = operations.find(([name]) => name === 'GET /System/Orders')![1];
    const expanded = list.parameters?.find((parameter) => parameter.name === 'expanded');
    expect(expanded?.schema).toEqual({ type: 'string', enum: ['true', 'false', '1', '0'], default: 'false' });
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
