CREATE TABLE "oauth2_jtis" (
	"id" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "oauth2_clients" ADD COLUMN "secret_sealed" text;--> statement-breakpoint
CREATE INDEX "oauth2_jtis_expires_idx" ON "oauth2_jtis" USING btree ("expires_at");