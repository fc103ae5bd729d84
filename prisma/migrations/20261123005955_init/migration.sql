-- CreateTable
CREATE TABLE "orders" (
    "id" SERIAL NOT NULL,
    "hash" TEXT NOT NULL,
    "customer_id" INTEGER,
    "company_id" INTEGER,
    "channel_id" INTEGER,
    "shipping_id" INTEGER,
    "payment_id" INTEGER,
    "date_order" TIMESTAMPTZ(3) NOT NULL,
    "date_maturity" TIMESTAMPTZ(3),
    "email" TEXT NOT NULL,
    "email_normalized" TEXT NOT NULL,
    "phone" TEXT,
    "name" TEXT,
    "street" TEXT,
    "city" TEXT,
    "zip" TEXT,
    "state_code" CHAR(2),
    "company_name" TEXT,
    "company_nr" TEXT,
    "company_vat" TEXT,
    "delivery_name" TEXT,
    "delivery_street" TEXT,
    "delivery_city" TEXT,
    "delivery_zip" TEXT,
    "delivery_state_code" CHAR(2),
    "delivery_phone" TEXT,
    "delivery_email" TEXT,
    "note" TEXT,
    "our_note" TEXT,
    "ip" TEXT,
    "domain" TEXT,
    "main_currency_code" CHAR(3) NOT NULL,
    "order_currency_code" CHAR(3) NOT NULL,
    "currency_rate" DECIMAL(19,8),
    "money" DECIMAL(19,4) NOT NULL DEFAULT 0,
    "paid" DECIMAL(19,4) NOT NULL DEFAULT 0,
    "date_paid" TIMESTAMPTZ(3),
    "status_id" INTEGER,
    "sent" BOOLEAN NOT NULL DEFAULT false,
    "delivered" BOOLEAN NOT NULL DEFAULT false,
    "done" BOOLEAN NOT NULL DEFAULT false,
    "canceled" BOOLEAN NOT NULL DEFAULT false,
    "external_order_prefix" TEXT NOT NULL DEFAULT '',
    "external_order_id" TEXT,
    "external_payment_id" TEXT,
    "external_payment_url" TEXT,
    "sync_status" TEXT NOT NULL DEFAULT 'pending',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "change_seq" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_items" (
    "id" SERIAL NOT NULL,
    "order_id" INTEGER NOT NULL,
    "article_number" TEXT,
    "name" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "note" TEXT,
    "price_given_as" TEXT NOT NULL,
    "base_price" DECIMAL(19,4) NOT NULL,
    "final_price" DECIMAL(19,4) NOT NULL,
    "vat_rate" DECIMAL(7,4) NOT NULL,
    "vat_value" DECIMAL(19,4) NOT NULL,
    "original_base_price" DECIMAL(19,4) NOT NULL,
    "original_final_price" DECIMAL(19,4) NOT NULL,
    "original_vat_rate" DECIMAL(7,4) NOT NULL,
    "original_vat_value" DECIMAL(19,4) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_statuses" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "icon" TEXT,
    "color" TEXT,
    "sort" INTEGER NOT NULL DEFAULT 0,
    "complete_order" BOOLEAN NOT NULL DEFAULT false,
    "cancel_order" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "order_statuses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shippers" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "tracking_url_template" TEXT NOT NULL,

    CONSTRAINT "shippers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trackings" (
    "id" SERIAL NOT NULL,
    "order_id" INTEGER NOT NULL,
    "shipper_id" INTEGER NOT NULL,
    "tracking_number" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "trackings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_payments" (
    "id" SERIAL NOT NULL,
    "order_id" INTEGER NOT NULL,
    "external_payment_id" TEXT NOT NULL,
    "amount" DECIMAL(19,4) NOT NULL,
    "url" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_history" (
    "id" SERIAL NOT NULL,
    "order_id" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "record_name" TEXT,
    "record_status" TEXT,
    "changes" JSONB,
    "api_key_id" INTEGER,
    "api_key_name" TEXT,
    "request_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "rights" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "orders_hash_key" ON "orders"("hash");

-- CreateIndex
CREATE INDEX "orders_date_order_id_idx" ON "orders"("date_order" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "orders_change_seq_id_idx" ON "orders"("change_seq", "id");

-- CreateIndex
CREATE INDEX "orders_updated_at_id_idx" ON "orders"("updated_at", "id");

-- CreateIndex
CREATE INDEX "orders_email_normalized_idx" ON "orders"("email_normalized");

-- CreateIndex
CREATE INDEX "orders_status_id_idx" ON "orders"("status_id");

-- CreateIndex
CREATE INDEX "orders_channel_id_idx" ON "orders"("channel_id");

-- CreateIndex
CREATE INDEX "orders_customer_id_idx" ON "orders"("customer_id");

-- CreateIndex
CREATE INDEX "orders_company_id_idx" ON "orders"("company_id");

-- CreateIndex
CREATE INDEX "orders_sync_status_idx" ON "orders"("sync_status");

-- CreateIndex
CREATE UNIQUE INDEX "orders_external_order_prefix_external_order_id_key" ON "orders"("external_order_prefix", "external_order_id");

-- CreateIndex
CREATE INDEX "order_items_order_id_id_idx" ON "order_items"("order_id", "id");

-- CreateIndex
CREATE INDEX "trackings_tracking_number_idx" ON "trackings"("tracking_number");

-- CreateIndex
CREATE UNIQUE INDEX "trackings_order_id_shipper_id_tracking_number_key" ON "trackings"("order_id", "shipper_id", "tracking_number");

-- CreateIndex
CREATE UNIQUE INDEX "order_payments_order_id_external_payment_id_key" ON "order_payments"("order_id", "external_payment_id");

-- CreateIndex
CREATE INDEX "order_history_order_id_id_idx" ON "order_history"("order_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_status_id_fkey" FOREIGN KEY ("status_id") REFERENCES "order_statuses"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trackings" ADD CONSTRAINT "trackings_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trackings" ADD CONSTRAINT "trackings_shipper_id_fkey" FOREIGN KEY ("shipper_id") REFERENCES "shippers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_payments" ADD CONSTRAINT "order_payments_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "order_history" ADD CONSTRAINT "order_history_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand from here on: Prisma cannot describe triggers or seed rows.

-- Every insert and update of an order stamps it with the id of the writing transaction. The
-- changes feed (GET /System/Orders?cursor=...) reads orders in change_seq order and only up to the
-- oldest transaction still running, so an order that a slow transaction commits late is never
-- skipped. An updated_at timestamp cannot promise that, because commit order is not clock order.
CREATE FUNCTION orders_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.change_seq := pg_current_xact_id()::text::bigint;
  IF TG_OP = 'UPDATE' THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER orders_touch BEFORE INSERT OR UPDATE ON "orders"
  FOR EACH ROW EXECUTE FUNCTION orders_touch();

-- Order statuses an instance starts with. Statuses are labels; the two flagged ones also finish
-- or cancel the order when set.
INSERT INTO "order_statuses" ("id", "name", "icon", "color", "sort", "complete_order", "cancel_order") VALUES
  (1, 'New',                'inbox',       '#2563eb', 10, false, false),
  (2, 'Awaiting payment',   'credit-card', '#d97706', 20, false, false),
  (3, 'Processing',         'cog',         '#7c3aed', 30, false, false),
  (4, 'Ready for dispatch', 'package',     '#0891b2', 40, false, false),
  (5, 'Completed',          'check',       '#16a34a', 50, true,  false),
  (6, 'Canceled',           'x-circle',    '#dc2626', 60, false, true);
SELECT setval(pg_get_serial_sequence('order_statuses', 'id'), (SELECT max("id") FROM "order_statuses"));

-- Carriers for trackings; {tracking_number} is replaced by the URL-encoded parcel number.
INSERT INTO "shippers" ("id", "name", "tracking_url_template") VALUES
  (1, 'PPL',         'https://www.ppl.cz/vyhledat-zasilku?shipmentId={tracking_number}'),
  (2, 'DPD',         'https://tracking.dpd.de/status/en_US/parcel/{tracking_number}'),
  (3, 'GLS',         'https://gls-group.com/track/{tracking_number}'),
  (4, 'DHL',         'https://www.dhl.com/global-en/home/tracking.html?tracking-id={tracking_number}'),
  (5, 'PostNL',      'https://jouw.postnl.nl/track-and-trace/{tracking_number}'),
  (6, 'UPS',         'https://www.ups.com/track?tracknum={tracking_number}'),
  (7, 'Česká pošta', 'https://www.postaonline.cz/trackandtrace/-/zasilka/cislo?parcelNumbers={tracking_number}'),
  (8, 'Packeta',     'https://tracking.packeta.com/en/?id={tracking_number}');
SELECT setval(pg_get_serial_sequence('shippers', 'id'), (SELECT max("id") FROM "shippers"));
