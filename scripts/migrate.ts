import { openFromEnv } from "./lib/open-from-env";

const database = await openFromEnv();
await database.close();
console.log(`migrations applied (${database.kind})`);
