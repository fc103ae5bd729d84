-- Rate-limit counters shared by every gateway process (the table rate-limiter-flexible's
-- RateLimiterPostgres uses). Unlogged: a counter costs no WAL, and losing the counts of the
-- current second in a crash costs nothing.
CREATE UNLOGGED TABLE "rate_limits" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);
