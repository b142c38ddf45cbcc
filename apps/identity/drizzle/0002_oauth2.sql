CREATE TABLE "oauth2_clients" (
	"id" text PRIMARY KEY NOT NULL,
	"secret_hash" text,
	"client_name" text DEFAULT '' NOT NULL,
	"owner" text DEFAULT '' NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oauth2_grants" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"client_id" text NOT NULL,
	"subject" text NOT NULL,
	"client_subject" text NOT NULL,
	"consent_challenge_id" text,
	"login_challenge_id" text,
	"login_session_id" uuid,
	"granted_scope" jsonb NOT NULL,
	"granted_audience" jsonb NOT NULL,
	"access_scope" jsonb,
	"access_token_claims" jsonb NOT NULL,
	"id_token_claims" jsonb NOT NULL,
	"request" jsonb NOT NULL,
	"consent_skipped" boolean DEFAULT false NOT NULL,
	"remember" boolean DEFAULT false NOT NULL,
	"remember_for" integer DEFAULT 0 NOT NULL,
	"nonce" text,
	"redirect_uri" text,
	"code_challenge" text,
	"auth_time" timestamp with time zone,
	"requested_at" timestamp with time zone NOT NULL,
	"acr" text,
	"amr" jsonb,
	"code_hash" text,
	"code_expires_at" timestamp with time zone,
	"code_used_at" timestamp with time zone,
	"access_hash" text,
	"access_expires_at" timestamp with time zone,
	"refresh_hash" text,
	"refresh_expires_at" timestamp with time zone,
	"generation" integer DEFAULT 0 NOT NULL,
	"tokens_issued_at" timestamp with time zone,
	"refreshed_at" timestamp with time zone,
	"tokens_revoked_at" timestamp with time zone,
	"handled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"remember_until" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oauth2_jwks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"set_id" text NOT NULL,
	"kid" text NOT NULL,
	"alg" text NOT NULL,
	"use" text NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"private_jwk" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "oauth2_login_sessions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"identity_session_id" text,
	"remember" boolean NOT NULL,
	"authenticated_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "oauth2_grants" ADD CONSTRAINT "oauth2_grants_client_id_oauth2_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."oauth2_clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "oauth2_clients_created_idx" ON "oauth2_clients" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "oauth2_grants_consent_challenge_uq" ON "oauth2_grants" USING btree ("consent_challenge_id");--> statement-breakpoint
CREATE UNIQUE INDEX "oauth2_grants_code_hash_uq" ON "oauth2_grants" USING btree ("code_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "oauth2_grants_access_hash_uq" ON "oauth2_grants" USING btree ("access_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "oauth2_grants_refresh_hash_uq" ON "oauth2_grants" USING btree ("refresh_hash");--> statement-breakpoint
CREATE INDEX "oauth2_grants_login_challenge_idx" ON "oauth2_grants" USING btree ("login_challenge_id");--> statement-breakpoint
CREATE INDEX "oauth2_grants_subject_client_idx" ON "oauth2_grants" USING btree ("subject","client_id","handled_at");--> statement-breakpoint
CREATE INDEX "oauth2_grants_client_idx" ON "oauth2_grants" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "oauth2_grants_login_session_idx" ON "oauth2_grants" USING btree ("login_session_id");--> statement-breakpoint
CREATE INDEX "oauth2_grants_expires_idx" ON "oauth2_grants" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "oauth2_jwks_set_kid_uq" ON "oauth2_jwks" USING btree ("set_id","kid");--> statement-breakpoint
CREATE INDEX "oauth2_login_sessions_subject_idx" ON "oauth2_login_sessions" USING btree ("subject");--> statement-breakpoint
CREATE INDEX "oauth2_login_sessions_identity_session_idx" ON "oauth2_login_sessions" USING btree ("identity_session_id");--> statement-breakpoint
CREATE INDEX "oauth2_login_sessions_expires_idx" ON "oauth2_login_sessions" USING btree ("expires_at");