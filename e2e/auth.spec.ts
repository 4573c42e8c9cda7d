import { expect, test } from "@playwright/test";

const owner = { workspace: "Acme Mail", email: "owner@acme.test", password: "penguins-are-great" };

test("setup → sign in → create an API key → sign out → sign in again; a wrong password shows an error", async ({ page }) => {
  // A newcomer lands on /setup.
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  // Without the one-time set-up token printed at start, nobody on the network can claim the instance.
  await page.getByLabel("Set-up token").fill("guessed-token");
  await page.getByLabel("Workspace name").fill(owner.workspace);
  await page.getByLabel("Your email").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page.getByText("The set-up token is missing or wrong")).toBeVisible();
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel("Set-up token").fill(process.env.E2E_SETUP_TOKEN!);
  await page.getByLabel("Workspace name").fill(owner.workspace);
  await page.getByLabel("Your email").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Create workspace" }).click();

  await expect(page).toHaveURL(/\/login\?setup=done$/);
  await expect(page.getByText("Your workspace is ready")).toBeVisible();

  // A wrong password shows an error and stays on the sign-in page.
  await page.getByLabel("Email").fill(owner.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form [role=alert]")).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toContainText(owner.workspace);
  await expect(page.getByTestId("current-user")).toContainText(owner.email);
  await expect(page.getByTestId("current-user")).toContainText("role: owner");

  // Create an API key: shown once, and it works against the API.
  await page.getByRole("link", { name: "API keys", exact: true }).click();
  await page.getByRole("textbox", { name: "Name" }).fill("Production server");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())!.trim();
  expect(key).toMatch(/^pm_[A-Za-z0-9_-]{40,}$/);
  await expect(page.getByRole("row", { name: /Production server/ })).toContainText("Active");
  const providers = await page.request.get("/api/v1/providers", { headers: { authorization: `Bearer ${key}` } });
  expect(providers.status()).toBe(200);
  expect(await providers.json()).toEqual({ data: [] });
  const wrongKey = await page.request.get("/api/v1/providers", { headers: { authorization: `Bearer ${key}x` } });
  expect(wrongKey.status()).toBe(401);

  // Sign out, then the app asks to sign in again.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/settings/api-keys");
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel("Email").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toContainText(owner.email);

  // The key is listed by prefix only; the full key is never shown again.
  await page.getByRole("link", { name: "API keys", exact: true }).click();
  await expect(page.getByRole("row", { name: /Production server/ })).toContainText(key.slice(0, 12));
  await expect(page.getByText(key)).toHaveCount(0);
});
