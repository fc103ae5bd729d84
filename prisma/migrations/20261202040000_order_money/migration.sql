-- An order's money (issue 11): line and order discounts, shipping and payment fees, the totals
-- breakdown with VAT per rate, a payments ledger with statuses, and refunds.

-- A line's discount per unit as given (amount or percent), its share of the order's discount and
-- what it costs in all, with VAT. The original prices are now the prices before the line's discount.
ALTER TABLE "order_items"
    ADD COLUMN "discount_kind" TEXT,
    ADD COLUMN "discount_value" DECIMAL(19,4),
    ADD COLUMN "order_discount" DECIMAL(19,4) NOT NULL DEFAULT 0,
    ADD COLUMN "total" DECIMAL(19,4) NOT NULL DEFAULT 0;
-- Lines made before had no discount: their price before the discount is their price. (The original
-- prices used to be the prices a line was created with; a line whose price was changed since
-- now shows its current price as original.)
UPDATE "order_items" SET "total" = "final_price" * "count", "original_base_price" = "base_price",
       "original_final_price" = "final_price", "original_vat_rate" = "vat_rate", "original_vat_value" = "vat_value";

-- The order's discount as given, its fees as priced, and the figures the API shows.
ALTER TABLE "orders"
    ADD COLUMN "discount_kind" TEXT,
    ADD COLUMN "discount_value" DECIMAL(19,4),
    ADD COLUMN "discount_code" TEXT,
    ADD COLUMN "shipping_price" JSONB,
    ADD COLUMN "payment_price" JSONB,
    ADD COLUMN "amount_subtotal" DECIMAL(19,4) NOT NULL DEFAULT 0,
    ADD COLUMN "amount_discount" DECIMAL(19,4) NOT NULL DEFAULT 0,
    ADD COLUMN "amount_shipping" DECIMAL(19,4) NOT NULL DEFAULT 0,
    ADD COLUMN "amount_payment_fee" DECIMAL(19,4) NOT NULL DEFAULT 0,
    ADD COLUMN "amount_tax" DECIMAL(19,4) NOT NULL DEFAULT 0,
    ADD COLUMN "taxes" JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN "refunded" DECIMAL(19,4) NOT NULL DEFAULT 0,
    ADD COLUMN "invoiced" BOOLEAN NOT NULL DEFAULT false;

-- Orders made before: no discounts and no fees, so the subtotal is the total; VAT per rate as
-- order-money.ts computes it (rounded to 2 decimals here: the figures of an order in a currency
-- with other minor units are recomputed by its next change).
WITH per_rate AS (
    SELECT "order_id", "vat_rate", sum("final_price" * "count") AS "amount",
           round(sum("final_price" * "count") * "vat_rate" / (100 + "vat_rate"), 2) AS "tax"
      FROM "order_items" GROUP BY "order_id", "vat_rate"
), per_order AS (
    SELECT "order_id", sum("tax") AS "tax",
           json_agg(json_build_object('rate', "vat_rate"::text, 'base', ("amount" - "tax")::text, 'tax', "tax"::text)
                    ORDER BY "vat_rate") AS "taxes"
      FROM per_rate GROUP BY "order_id"
)
UPDATE "orders" o SET "amount_tax" = per_order."tax", "taxes" = per_order."taxes"
  FROM per_order WHERE per_order."order_id" = o."id";
UPDATE "orders" SET "amount_subtotal" = "money";
-- An order paid in full after it left was invoiced by MplusKASSA (payOrder prepay=false).
UPDATE "orders" o SET "invoiced" = true
 WHERE EXISTS (SELECT 1 FROM "sync_events" e
                WHERE e."order_id" = o."id" AND e."kind" = 'pay' AND (e."payload" ->> 'final')::boolean);

-- Every payment a gateway reported under a payment_id, with its latest status.
ALTER TABLE "order_payments"
    ADD COLUMN "status" TEXT NOT NULL DEFAULT 'success',
    ADD COLUMN "method" TEXT,
    ADD COLUMN "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

CREATE TABLE "order_refunds" (
    "id" SERIAL NOT NULL,
    "order_id" INTEGER NOT NULL,
    "refund_id" TEXT NOT NULL,
    "amount" DECIMAL(19,4) NOT NULL,
    "reason" TEXT,
    "lines" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_refunds_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "order_refunds_order_id_refund_id_key" ON "order_refunds"("order_id", "refund_id");
ALTER TABLE "order_refunds" ADD CONSTRAINT "order_refunds_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;
