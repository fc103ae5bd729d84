-- The `description` filter (the note contains a text, case-insensitively), alone or with dates,
-- an id or `archived`, searches a narrow table of the notes instead of the orders. A trigram index
-- cannot decide a match alone: every candidate is rechecked on its row, and on `orders` those rows
-- are wide. At a million orders, `description=ring 7` (5 597 matches) read 5 259 heap blocks of
-- orders for its count and walked 1 525 more rows for its page: 22 + 16 ms from memory, 210 ms
-- from disk (EXPLAIN ANALYZE, bench:scale's database). The same search of order_notes reads 1 026
-- blocks, count and page from one scan: 5 ms. Beside filters that need the order's row (a status,
-- a flag, an e-mail) the search stays on orders and its own trigram index: there the planner can
-- start from whichever condition matches least, and a count of a note most orders have stops at
-- its limit (joining order_notes to orders instead took up to 6 times as long in those cases).
--
-- note_lower is lower(note): ILIKE on a database of a multi-byte encoding lower-cases both sides
-- and compares them, so `note_lower LIKE lower(pattern)` matches exactly what `note ILIKE pattern`
-- matches.

-- CreateTable
CREATE TABLE "order_notes" (
    "order_id" INTEGER NOT NULL,
    "note_lower" TEXT NOT NULL,
    "date_order" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "order_notes_pkey" PRIMARY KEY ("order_id")
);

-- The orders' notes so far, before the index: a GIN index built over the rows is smaller and
-- faster than one grown row by row.
INSERT INTO "order_notes" ("order_id", "note_lower", "date_order", "deleted_at")
SELECT "id", lower("note"), "date_order", "deleted_at" FROM "orders" WHERE "note" <> '';

-- CreateIndex
CREATE INDEX "order_notes_note_lower_idx" ON "order_notes" USING GIN ("note_lower" gin_trgm_ops);

-- AddForeignKey
ALTER TABLE "order_notes" ADD CONSTRAINT "order_notes_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand from here on: Prisma cannot describe triggers.

-- order_notes follows every write of an order, whichever path made it (the API, a batch, an
-- order imported from MplusKASSA, an archive or a restore): an order with a note has its row,
-- one without has none. The triggers fire only when the note, the order date or the archive
-- mark is set or changed, so the writes of orders without notes pay nothing but their WHEN.
CREATE FUNCTION order_notes_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(NEW.note, '') = '' THEN
    DELETE FROM order_notes WHERE order_id = NEW.id;
  ELSE
    INSERT INTO order_notes (order_id, note_lower, date_order, deleted_at)
    VALUES (NEW.id, lower(NEW.note), NEW.date_order, NEW.deleted_at)
    ON CONFLICT (order_id) DO UPDATE
      SET note_lower = EXCLUDED.note_lower, date_order = EXCLUDED.date_order, deleted_at = EXCLUDED.deleted_at;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER order_notes_on_insert AFTER INSERT ON "orders"
  FOR EACH ROW WHEN (NEW.note <> '') EXECUTE FUNCTION order_notes_follow();

CREATE TRIGGER order_notes_on_update AFTER UPDATE OF note, date_order, deleted_at ON "orders"
  FOR EACH ROW WHEN (OLD.note IS DISTINCT FROM NEW.note
                     OR (NEW.note <> '' AND (OLD.date_order IS DISTINCT FROM NEW.date_order
                                             OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)))
  EXECUTE FUNCTION order_notes_follow();
