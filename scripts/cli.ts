/**
 * Headless set-up:
 *   npm run cli -- setup --workspace <name> --email <email> --password <password>
  npm run cli -- keys accept      (after a deliberate key change: record this environment's keys as the installation's)
 *   npm run cli -- api-key create --workspace <name or id> [--name <label>] [--scope full|send]
 *   npm run cli -- member add --workspace <name or id> --email <email> --password <password> --role owner|admin|member|viewer
 *   npm run cli -- analytics rebuild [--workspace <name or id>]   (recompute the deliverability rollups from events)
 */
import { parseArgs } from "node:util";
import { openFromEnv } from "./lib/open-from-env";
import { createWorkspaceWithOwner, findWorkspace } from "../lib/workspaces/setup-workspace";
import { createApiKey } from "../lib/auth/api-keys";
import { addMember } from "../lib/workspaces/members";
import { AppError } from "../lib/errors";
import { parseEnv } from "../lib/config/env";
import { acceptKeyFingerprints } from "../lib/crypto/key-fingerprint";
import { rebuildAnalytics } from "../lib/analytics/rebuild";
import { API_KEY_SCOPES, type ApiKeyScope } from "../db/schema";

const USAGE = `usage:
  npm run cli -- setup --workspace <name> --email <email> --password <password>
  npm run cli -- api-key create --workspace <name or id> [--name <label>] [--scope full|send]
  npm run cli -- member add --workspace <name or id> --email <email> --password <password> --role owner|admin|member|viewer
  npm run cli -- analytics rebuild [--workspace <name or id>]`;

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(1);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    workspace: { type: "string" },
    email: { type: "string" },
    password: { type: "string" },
    name: { type: "string" },
    scope: { type: "string" },
    role: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
const command = positionals.join(" ");
if (values.help || !["setup", "api-key create", "keys accept", "member add", "analytics rebuild"].includes(command)) {
  console.error(USAGE);
  process.exit(values.help ? 0 : 1);
}

const database = await openFromEnv();
try {
  if (command === "setup") {
    if (!values.workspace || !values.email || !values.password) fail(`setup needs --workspace, --email and --password\n${USAGE}`);
    const result = await createWorkspaceWithOwner(database, { workspace: values.workspace, email: values.email, password: values.password });
    console.log(JSON.stringify({ workspace_id: result.workspace.id, user_id: result.user.id, workspace: result.workspace, user: result.user }));
  } else if (command === "keys accept") {
    await acceptKeyFingerprints(database, parseEnv());
    console.error("Recorded this environment's APP_ENCRYPTION_KEY and NEXTAUTH_SECRET as the installation's keys (fingerprints only).");
  } else if (command === "analytics rebuild") {
    let workspaceId: string | undefined;
    if (values.workspace) {
      const workspace = await findWorkspace(database, values.workspace);
      if (!workspace) fail(`no workspace with id or name "${values.workspace}"`);
      workspaceId = workspace.id;
    }
    const started = Date.now();
    const result = await rebuildAnalytics(database, workspaceId);
    console.error(`Rebuilt the deliverability rollups${workspaceId ? ` of ${values.workspace}` : ""} from events in ${Date.now() - started} ms.`);
    console.log(JSON.stringify({ recipients_corrected: result.recipientsChanged, rollup_rows: result.rollupRows }));
  } else if (command === "member add") {
    if (!values.workspace || !values.email || !values.password || !values.role) fail(`member add needs --workspace, --email, --password and --role\n${USAGE}`);
    const workspace = await findWorkspace(database, values.workspace);
    if (!workspace) fail(`no workspace with id or name "${values.workspace}"`);
    const added = await addMember(database, workspace.id, { email: values.email, password: values.password, role: values.role as never });
    console.log(JSON.stringify(added));
  } else {
    if (!values.workspace) fail(`api-key create needs --workspace\n${USAGE}`);
    const scope = (values.scope ?? "full") as ApiKeyScope;
    if (!API_KEY_SCOPES.includes(scope)) fail(`--scope must be one of: ${API_KEY_SCOPES.join(", ")}`);
    const workspace = await findWorkspace(database, values.workspace);
    if (!workspace) fail(`no workspace with id or name "${values.workspace}"`);
    const created = await createApiKey(
      { database, workspaceId: workspace.id, actor: { type: "system" } },
      { name: values.name ?? "CLI key", scope },
    );
    console.error(`Created API key ${created.id} (${created.scope}) for workspace ${workspace.name}. It is shown once:`);
    console.log(created.key);
  }
} catch (err) {
  if (err instanceof AppError) {
    const fields = (err.details as { fields?: Array<{ field: string; message: string }> } | undefined)?.fields;
    fail(fields?.length ? `${err.message}: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}` : err.message);
  }
  throw err;
} finally {
  await database.close();
}
