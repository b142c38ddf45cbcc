CREATE TABLE "oauth2_handled_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"rejected" boolean DEFAULT false NOT NULL,
	"verifier_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "oauth2_handled_requests_expires_idx" ON "oauth2_handled_requests" USING btree ("expires_at");