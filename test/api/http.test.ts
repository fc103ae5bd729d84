import { readFileSync } from 'node:fs';
import { orderBody } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startGateway({ BODY_LIMIT_BYTES: '4096' });
});
afterAll(() => gateway.close());

describe('HTTP edges', () => {
  it('refuses malformed JSON with 400 and a problem body', async () => {
    const response = await gateway.post('/System/Orders').set('content-type', 'application/json').send('{"email": ');
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'MALFORMED_BODY', status: 400, message: 'Malformed request body' });
  });

  it('refuses a __proto__ key', async () => {
    const response = await gateway
      .post('/System/Orders')
      .set('content-type', 'application/json')
      .send('{"__proto__": {"admin": true}}');
    expect(response.status).toBe(400);
  });

  it.each(['[]', '"text"', '42', 'null'])('refuses the body %s: it must be an object', async (raw) => {
    const response = await gateway.post('/System/Orders').set('content-type', 'application/json').send(raw);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'body', message: 'the body must be a JSON object' }]);
  });

  it('refuses bodies that are not JSON with 415', async () => {
    const response = await gateway.post('/System/Orders').set('content-type', 'text/plain').send('email=a@b.cz');
    expect(response.status).toBe(415);
    const form = await gateway.post('/System/Orders').type('form').send({ email: 'a@b.cz' });
    expect(form.status).toBe(415);
  });

  it('refuses bodies over the limit with 413', async () => {
    const response = await gateway.post(
      '/System/Orders',
      orderBody({ note: 'x'.repeat(3900), our_note: 'y'.repeat(3900) }),
    );
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    expect((await gateway.get('/System/Orders').set('X-Request-Id', 'abc-123')).headers['x-request-id']).toBe(
      'abc-123',
    );
    const made = (
      await gateway.get('/System/Orders').set('X-Request-Id', 'bad id with spaces; and "quotes" ' + 'x'.repeat(200))
    ).headers['x-request-id'];
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
    const error = await gateway.get('/System/Orders/0');
    expect(error.body.request_id).toBe(error.headers['x-request-id']);
  });

  it('answers unknown routes with a 404 problem', async () => {
    const response = await gateway.get('/System/Nope');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'ROUTE_NOT_FOUND', detail: 'No route GET /System/Nope' });
  });

  it('serves Swagger UI at /docs and the checked-in document at /openapi.json, without a key', async () => {
    const docs = await gateway.get('/docs', '').unset('token');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
    const served = await gateway.get('/openapi.json', '').unset('token');
    expect(served.status).toBe(200);
    const checkedIn = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));
    expect(served.body).toEqual(checkedIn);
  });
});

describe('lists of statuses and shippers', () => {
  it('lists the seeded statuses with the paginator, one of them completing and one canceling', async () => {
    const body = (await gateway.get('/System/Orders/Statuses')).body;
    expect(body.paginator).toEqual({ page: 1, per_page: 10, pages: 1, total: 6 });
    expect(body.statuses.filter((status: { complete_order: boolean }) => status.complete_order)).toHaveLength(1);
    expect(body.statuses.filter((status: { cancel_order: boolean }) => status.cancel_order)).toHaveLength(1);
    expect(body.statuses.map((status: { sort: number }) => status.sort)).toEqual([10, 20, 30, 40, 50, 60]);
    expect((await gateway.get('/System/Orders/Statuses?per_page=5')).status).toBe(400);
    expect((await gateway.get('/System/Orders/Statuses/99')).body.code).toBe('STATUS_NOT_FOUND');
  });

  it('lists the seeded shippers from id 1, each with a tracking URL template', async () => {
    const body = (await gateway.get('/System/Lists/Shippers?per_page=250')).body;
    expect(body.shippers[0]).toMatchObject({ id: 1, name: 'PPL' });
    for (const shipper of body.shippers) {
      expect(shipper.tracking_url_template).toMatch(/^https:\/\/.*\{tracking_number\}/);
    }
    expect((await gateway.get('/System/Lists/Shippers/1')).body.name).toBe('PPL');
    expect((await gateway.get('/System/Lists/Shippers/99')).status).toBe(404);
  });
});
