// Comparing the schema with the migrations replays the migrations into a throw-away database,
// which needs a real Postgres server (the embedded one has a single database).
export function toolingServerUrl(): string {
  return process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
}
