/**
 * Intentionally empty. Without an instrumentation file of its own, Turbopack (with `turbopack.root` at the repo
 * root) picked up the product's /instrumentation.ts and tried to bundle the whole app into this floor.
 */
export function register(): void {}
