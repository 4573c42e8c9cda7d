CREATE TABLE "instance_keys" (
	"id" integer PRIMARY KEY NOT NULL,
	"encryption_key_fingerprint" text NOT NULL,
	"auth_secret_fingerprint" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
