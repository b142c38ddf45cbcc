CREATE TABLE "oauth2_trusted_jwt_issuers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"issuer" text NOT NULL,
	"subject" text DEFAULT '' NOT NULL,
	"allow_any_subject" boolean DEFAULT false NOT NULL,
	"scope" jsonb NOT NULL,
	"kid" text NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "oauth2_trusted_jwt_issuers_uq" ON "oauth2_trusted_jwt_issuers" USING btree ("issuer","subject","kid");--> statement-breakpoint
CREATE INDEX "oauth2_trusted_jwt_issuers_created_idx" ON "oauth2_trusted_jwt_issuers" USING btree ("created_at","id");