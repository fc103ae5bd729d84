import pg from 'pg';
import { createOrder } from '../support/factories.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { waitFor } from '../support/wait.js';

let gateway: TestGateway;

interface Listed {
  paginator: { page: number; per_page: number; pages: number; total: number; total_exact: boolean };
  orders: Array<{ id: number; [key: string]: unknown }>;
  next_cursor: string | null;
}

async function list(query: string): Promise<Listed> {
  const response = await gateway.get(`/System/Orders${query ? `?${query}` : ''}`);
  if (response.status !== 200) throw new Error(`${query}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as Listed;
}

const ids = (listed: Listed) => listed.orders.map((order) => order.id);

/**
 * Waits until the changes feed can show every change made so far. The feed stops at the oldest
 * transaction still running in the Postgres cluster, and the other test files' databases share
 * this cluster: their transactions hold it back for moments.
 */
async function settled(): Promise<void> {
  const client = new pg.Client({ connectionString: gateway.database.url });
  await client.connect();
  try {
    await waitFor('the changes feed to pass every change', async () => {
      const { rows } = await client.query<{ passed: boolean }>(
        `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint > coalesce(max(change_seq), 0) AS passed
           FROM orders`,
      );
      return rows[0]!.passed;
    });
  } finally {
    await client.end();
  }
}

// Fifteen orders, one day apart in date_order, with the attributes the filters look at.
const made: number[] = [];
beforeAll(async () => {
  gateway = await startGateway();
  for (let day = 1; day <= 15; day += 1) {
    made.push(
      await createOrder(gateway, {
        date_order: `2024-05-${String(day).padStart(2, '0')}T12:00:00+00:00`,
        channel: day % 3 === 0 ? 7 : 1,
        company: day % 5 === 0 ? 2 : 1,
        customer: day === 4 ? 444 : undefined,
        email: day === 6 ? 'Mixed.Case@Example.CZ' : `list${day}@example.cz`,
        external_order_id: day === 8 ? 'EXT-8' : undefined,
      }),
    );
  }
  await gateway.patch(`/System/Orders/${made[1]}/done`).expect(200); // day 2
  await gateway.patch(`/System/Orders/${made[2]}/cancel`).expect(200); // day 3
  await gateway.patch(`/System/Orders/${made[3]}/status`, { status_id: 4 }).expect(200); // day 4
  await gateway.post(`/System/Orders/${made[4]}/tracking`, { shipper_id: 1, tracking_number: 'PARCEL-5' }).expect(201);
});
afterAll(() => gateway.close());

describe('GET /System/Orders: pages', () => {
  it('lists newest date_order first, 10 per page, with the paginator', async () => {
    const first = await list('');
    expect(first.paginator).toEqual({ page: 1, per_page: 10, pages: 2, total: 15, total_exact: true });
    expect(ids(first)).toEqual([...made].reverse().slice(0, 10));
    expect(first.next_cursor).toBeNull();
    const second = await list('page=2');
    expect(ids(second)).toEqual([...made].reverse().slice(10));
    expect((await list('page=3')).orders).toEqual([]);
  });

  it('orders by id after date_order when dates are equal', async () => {
    const gatewayTwo = await startGateway();
    try {
      const same = { date_order: '2024-01-01T00:00:00Z' };
      const a = await createOrder(gatewayTwo, same);
      const b = await createOrder(gatewayTwo, same);
      const body = (await gatewayTwo.get('/System/Orders')).body as Listed;
      expect(ids(body)).toEqual([b, a]);
    } finally {
      await gatewayTwo.close();
    }
  });

  it.each([
    ['per_page=9', 'per_page'],
    ['per_page=251', 'per_page'],
    ['per_page=abc', 'per_page'],
    ['page=0', 'page'],
    ['page=-1', 'page'],
    ['page=1.5', 'page'],
    ['page=1e2', 'page'],
    ['done=yes', 'done'],
    ['status_id=x', 'status_id'],
    ['from=yesterday', 'from'],
    ['email=not-an-email', 'email'],
    ["email=' OR 1=1 --", 'email'],
    ['sort=name', 'sort'],
    ['sync_status=lost', 'sync_status'],
    ['unknown=1', 'unknown'],
  ])('refuses %s, naming %s', async (query, field) => {
    const response = await gateway.get(`/System/Orders?${query}`);
    expect(response.status).toBe(400);
    expect((response.body.errors as Array<{ field: string }>).map((error) => error.field)).toContain(field);
  });

  it('takes 10 and 250 as page sizes', async () => {
    expect((await list('per_page=250')).orders).toHaveLength(15);
    expect((await list('per_page=10')).paginator.per_page).toBe(10);
  });

  it.each([
    ['channel_id=7', [3, 6, 9, 12, 15]],
    ['company_id=2', [5, 10, 15]],
    ['customer_id=444', [4]],
    ['done=true', [2]],
    ['done=1', [2]],
    ['canceled=1', [3]],
    ['status_id=4', [4]],
    ['tracking=PARCEL-5', [5]],
    ['email=mixed.case@example.cz', [6]],
    ['external_order_id=EXT-8', [8]],
    ['from=2024-05-10T00:00:00%2B00:00&to=2024-05-12T12:00:00Z', [10, 11, 12]],
    ['channel_id=7&company_id=2', [15]],
    ['tracking=NONE', []],
    ["tracking=x'%20OR%20'1'='1", []],
    ['sync_status=pending', Array.from({ length: 15 }, (_, i) => i + 1)],
    ['sync_status=synced', []],
  ])('filters by %s', async (query, days) => {
    const listed = await list(`${query}&per_page=250`.replace(/^&/, ''));
    expect(ids(listed).sort((a, b) => a - b)).toEqual(days.map((day) => made[day - 1]));
    expect(listed.paginator.total).toBe(days.length);
  });

  it('counts unfinished orders with done=false / 0', async () => {
    expect((await list('done=0&per_page=250')).paginator.total).toBe(14);
    expect((await list('canceled=false&per_page=250')).paginator.total).toBe(14);
  });

  it.each([
    ['sort=date_order', () => made.slice(0, 10)],
    ['sort=-id', () => [...made].reverse().slice(0, 10)],
    ['sort=id', () => made.slice(0, 10)],
  ])('sorts with %s', async (query, expected) => {
    expect(ids(await list(query))).toEqual(expected());
  });

  it('sorts by last change with sort=-updated_at', async () => {
    const listed = await list('sort=-updated_at&per_page=250');
    // The four orders changed after creation come first, the last changed first.
    expect(ids(listed).slice(0, 4)).toEqual([made[4], made[3], made[2], made[1]]);
  });

  it('expands statuses in lists with expanded=true', async () => {
    const listed = await list('status_id=4&expanded=true');
    expect(listed.orders[0]?.status).toMatchObject({ id: 4, name: 'Ready for dispatch' });
  });
});

describe('GET /System/Orders: changes (updated_since, cursor)', () => {
  it('reads every change in commit order, page after page, and then waits at the end', async () => {
    await settled();
    const first = await list('updated_since=2000-01-01T00:00:00Z&per_page=10');
    expect(first.paginator.total).toBe(15);
    expect(first.orders).toHaveLength(10);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await list(`cursor=${first.next_cursor}&per_page=10`);
    expect(second.orders).toHaveLength(5);
    const seen = [...ids(first), ...ids(second)];
    expect(new Set(seen).size).toBe(15);
    // Changed orders come last, in the order of their changes.
    expect(seen.slice(-4)).toEqual([made[1], made[2], made[3], made[4]]);
    const end = await list(`cursor=${second.next_cursor}&per_page=10`);
    expect(end.orders).toEqual([]);
    expect(end.next_cursor).toEqual(expect.any(String));

    // An order that changes again comes again, once, after the cursor.
    await gateway
      .post(`/System/Orders/${made[0]}/history`, { type: 'email', record: { name: 'note only' } })
      .expect(201);
    await settled();
    expect(ids(await list(`cursor=${end.next_cursor}`))).toEqual([]); // a note is not a change of the order
    await gateway.patch(`/System/Orders/${made[0]}/sent`).expect(200);
    await settled();
    const next = await list(`cursor=${end.next_cursor}`);
    expect(ids(next)).toEqual([made[0]]);
    expect((await list(`cursor=${next.next_cursor}`)).orders).toEqual([]);
  });

  it('never skips an order whose change commits after a later one', async () => {
    const slow = made[9]!;
    const fast = made[10]!;
    await settled();
    const start = (await list('updated_since=2000-01-01T00:00:00Z&per_page=250')).next_cursor!;
    const client = new pg.Client({ connectionString: gateway.database.url });
    await client.connect();
    try {
      // A transaction that writes first and commits last.
      await client.query('BEGIN');
      await client.query("UPDATE orders SET our_note = 'slow writer', version = version + 1 WHERE id = $1", [slow]);
      await gateway.patch(`/System/Orders/${fast}/done`).expect(200);
      const during = await list(`cursor=${start}`);
      expect(ids(during)).toEqual([]); // the fast change waits behind the open transaction
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    await settled();
    const after = await list(`cursor=${start}`);
    expect(ids(after)).toEqual([slow, fast]);
  });

  it('refuses sort or page with changes, and a cursor it did not give', async () => {
    expect((await gateway.get('/System/Orders?updated_since=2024-01-01T00:00:00Z&sort=id')).status).toBe(400);
    expect((await gateway.get('/System/Orders?updated_since=2024-01-01T00:00:00Z&page=2')).status).toBe(400);
    const forged = await gateway.get('/System/Orders?cursor=bm9wZQ');
    expect(forged.status).toBe(400);
    expect(forged.body.errors[0].field).toBe('cursor');
  });

  it('combines changes with filters', async () => {
    await settled();
    const listed = await list('updated_since=2000-01-01T00:00:00Z&channel_id=7&per_page=250');
    expect(ids(listed).sort((a, b) => a - b)).toEqual([3, 6, 9, 12, 15].map((day) => made[day - 1]));
  });
});

describe('GET /System/Orders: totals past the exact-count limit', () => {
  // A second gateway on the same orders that counts exactly only up to 5.
  let counting: TestGateway;
  beforeAll(async () => {
    counting = await startGateway({ LIST_EXACT_TOTAL_UP_TO: '5' }, { database: gateway.database });
  });
  afterAll(() => counting.close());

  const listOn = async (query: string): Promise<Listed> => {
    const response = await counting.get(`/System/Orders?${query}`);
    expect(response.status).toBe(200);
    return response.body as Listed;
  };

  it('estimates a total past the limit, and says so', async () => {
    const listed = await listOn('per_page=10');
    expect(listed.orders).toHaveLength(10);
    expect(listed.paginator.total_exact).toBe(false);
    // Whatever the planner guesses, the total is never below what was counted (more than 5).
    expect(listed.paginator.total).toBeGreaterThan(5);
    expect(listed.paginator.pages).toBe(Math.ceil(listed.paginator.total / 10));
  });

  it('never answers a total smaller than the pages it has shown', async () => {
    const last = await listOn('per_page=10&page=2');
    expect(last.orders).toHaveLength(5);
    expect(last.paginator.total).toBeGreaterThanOrEqual(15);
  });

  it('counts exactly within the limit, and past it with exact_total', async () => {
    expect((await listOn('channel_id=7')).paginator).toMatchObject({ total: 5, total_exact: true });
    expect((await listOn('exact_total=true')).paginator).toMatchObject({ total: 15, pages: 2, total_exact: true });
    expect((await listOn('exact_total=1&canceled=false')).paginator).toMatchObject({ total: 14, total_exact: true });
  });

  it('estimates what remains of the changes feed the same way', async () => {
    await settled();
    const changes = await listOn('updated_since=2000-01-01T00:00:00Z&per_page=10');
    expect(changes.orders).toHaveLength(10);
    expect(changes.paginator.total_exact).toBe(false);
    const exact = await listOn('updated_since=2000-01-01T00:00:00Z&per_page=10&exact_total=true');
    expect(exact.paginator).toMatchObject({ total: 15, total_exact: true });
    const rest = await listOn(`cursor=${exact.next_cursor}&per_page=10`);
    expect(rest.paginator).toMatchObject({ total: 5, total_exact: true });
  });
});
