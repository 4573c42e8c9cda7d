export * from "./workspaces";
export * from "./providers";
export * from "./messages";
export * from "./events";
export * from "./instance";
export * from "./invitations";
export * from "./webhook-log";
export * from "./domains";
