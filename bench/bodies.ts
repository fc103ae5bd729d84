import { orderBody } from '../test/support/factories.js';

// The create bodies the benchmarks send; `{n}` in the e-mail becomes a counter (bench/load.ts).

const itemsOf = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    article_number: String(1001 + i),
    name: `Article ${i + 1}`,
    count: 1 + (i % 3),
    price: { base_price: 10 + i, vat: 21 },
  }));

export const createBody = (items: number) =>
  orderBody({ email: 'bench-{n}@example.cz', name: 'Bench Customer', items: itemsOf(items) });

/** An order with its money made of more than its lines: a discounted line, a voucher and a shipping fee. */
export const discountedBody = (items: number) => {
  const [first, ...rest] = itemsOf(items);
  return {
    ...createBody(0),
    items: [{ ...first!, discount: { percent: 10 } }, ...rest],
    discount: { percent: 5, code: 'BENCH' },
    shipping_price: { final_price: 4.95, vat: 21 },
  };
};
