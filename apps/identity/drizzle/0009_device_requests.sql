CREATE TABLE "oauth2_device_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"device_code_hash" text NOT NULL,
	"user_code_hash" text NOT NULL,
	"requested_scope" jsonb NOT NULL,
	"requested_audience" jsonb NOT NULL,
	"interval_s" integer NOT NULL,
	"last_polled_at" timestamp with time zone,
	"user_code_used_at" timestamp with time zone,
	"grant_id" uuid,
	"denied_at" timestamp with time zone,
	"redeemed_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "oauth2_device_requests" ADD CONSTRAINT "oauth2_device_requests_client_id_oauth2_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."oauth2_clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "oauth2_device_requests_device_code_uq" ON "oauth2_device_requests" USING btree ("device_code_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "oauth2_device_requests_user_code_uq" ON "oauth2_device_requests" USING btree ("user_code_hash");--> statement-breakpoint
CREATE INDEX "oauth2_device_requests_expires_idx" ON "oauth2_device_requests" USING btree ("expires_at");