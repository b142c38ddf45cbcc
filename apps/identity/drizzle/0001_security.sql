CREATE TABLE "olympus_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"secret" boolean DEFAULT false NOT NULL,
	"category" text DEFAULT 'general' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "security_audit_log" (
	"id" uuid PRIMARY KEY NOT NULL,
	"event" text NOT NULL,
	"actor" text NOT NULL,
	"target" text,
	"ip" text,
	"user_agent" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "security_login_throttles" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"identity_id" uuid,
	"attempts" integer DEFAULT 0 NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"locked_until" timestamp with time zone,
	"last_ip" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "security_login_throttles" ADD CONSTRAINT "security_login_throttles_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "olympus_settings_category_idx" ON "olympus_settings" USING btree ("category","key");--> statement-breakpoint
CREATE INDEX "security_audit_log_created_idx" ON "security_audit_log" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "security_audit_log_event_idx" ON "security_audit_log" USING btree ("event","created_at");--> statement-breakpoint
CREATE INDEX "security_audit_log_actor_idx" ON "security_audit_log" USING btree ("actor","created_at");--> statement-breakpoint
CREATE INDEX "security_audit_log_target_idx" ON "security_audit_log" USING btree ("target","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "security_login_throttles_kind_key_uq" ON "security_login_throttles" USING btree ("kind","key");--> statement-breakpoint
CREATE INDEX "security_login_throttles_locked_idx" ON "security_login_throttles" USING btree ("locked_until");--> statement-breakpoint
CREATE INDEX "security_login_throttles_identity_idx" ON "security_login_throttles" USING btree ("identity_id");--> statement-breakpoint
-- The audit log is append-only: rows can be added, and old ones deleted by the retention janitor, never changed.
CREATE FUNCTION "security_audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'security_audit_log is append-only';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "security_audit_log_no_update" BEFORE UPDATE ON "security_audit_log" FOR EACH ROW EXECUTE FUNCTION "security_audit_log_append_only"();
