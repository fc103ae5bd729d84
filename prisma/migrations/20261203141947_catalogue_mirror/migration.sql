-- CreateTable
CREATE TABLE "articles" (
    "article_number" BIGINT NOT NULL,
    "product_number" BIGINT NOT NULL,
    "name" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL,
    "vat_rate" DECIMAL(5,2),
    "price_incl" DECIMAL(19,4),
    "plu_number" TEXT,
    "sync_marker" BIGINT NOT NULL,
    "revision" BIGSERIAL NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "articles_pkey" PRIMARY KEY ("article_number")
);

-- CreateIndex
CREATE INDEX "articles_revision_idx" ON "articles"("revision");
