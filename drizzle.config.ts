import { defineConfig } from "drizzle-kit";

// One schema for PostgreSQL and embedded PGlite; `npm run db:generate` writes SQL migrations to db/migrations,
// which are committed and applied at start (db/migrate.ts) and by `npm run db:migrate`.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
});
