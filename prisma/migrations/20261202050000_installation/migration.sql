-- The installation a database belongs to (issue 14): a short random id made once, which the
-- extOrderIds the gateway makes carry, so that two installations (or a restored backup and the
-- database it came from) on one MplusKASSA administration never make the same one. Settable
-- (INSTALLATION_ID) to move an installation to another database.
CREATE TABLE "installation" (
    "singleton" BOOLEAN NOT NULL DEFAULT true,
    "id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "installation_pkey" PRIMARY KEY ("singleton")
);
INSERT INTO "installation" ("id") VALUES (substr(md5(random()::text || clock_timestamp()::text), 1, 8));
