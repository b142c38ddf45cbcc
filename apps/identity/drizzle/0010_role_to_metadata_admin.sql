-- Authorisation leaves the traits (issue 16, finding 1). An IAM administrator's `role` (and extra
-- `roles`) was an ordinary trait of the `admin` schema, which self-service settings let its owner
-- rewrite. It now lives in `metadata_admin`, which only the admin API writes (as in Ory Kratos).
-- A value already in metadata_admin wins over the trait; the traits lose both keys.
UPDATE "identities"
SET
	"metadata_admin" = jsonb_strip_nulls(jsonb_build_object('role', "traits" -> 'role', 'roles', "traits" -> 'roles'))
		|| (CASE WHEN jsonb_typeof("metadata_admin") = 'object' THEN "metadata_admin" ELSE '{}'::jsonb END),
	"traits" = ("traits" - 'role') - 'roles',
	"updated_at" = now()
WHERE "schema_id" = 'admin'
	AND jsonb_typeof("traits") = 'object'
	AND ("traits" -> 'role' IS NOT NULL OR "traits" -> 'roles' IS NOT NULL);
