DROP INDEX "oauth2_grants_consent_challenge_uq";--> statement-breakpoint
DROP INDEX "oauth2_grants_code_hash_uq";--> statement-breakpoint
DROP INDEX "oauth2_grants_refresh_hash_uq";--> statement-breakpoint
DROP INDEX "oauth2_grants_login_challenge_idx";--> statement-breakpoint
DROP INDEX "oauth2_grants_login_session_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "oauth2_grants_consent_challenge_uq" ON "oauth2_grants" USING btree ("consent_challenge_id") WHERE "oauth2_grants"."consent_challenge_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "oauth2_grants_code_hash_uq" ON "oauth2_grants" USING btree ("code_hash") WHERE "oauth2_grants"."code_hash" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "oauth2_grants_refresh_hash_uq" ON "oauth2_grants" USING btree ("refresh_hash") WHERE "oauth2_grants"."refresh_hash" is not null;--> statement-breakpoint
CREATE INDEX "oauth2_grants_login_challenge_idx" ON "oauth2_grants" USING btree ("login_challenge_id") WHERE "oauth2_grants"."login_challenge_id" is not null;--> statement-breakpoint
CREATE INDEX "oauth2_grants_login_session_idx" ON "oauth2_grants" USING btree ("login_session_id") WHERE "oauth2_grants"."login_session_id" is not null;