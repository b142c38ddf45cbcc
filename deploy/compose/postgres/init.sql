-- Runs once, when the PostgreSQL volume is initialised: one database per identity domain, so CIAM
-- and IAM data never share a database (docs/deploying.md). Each identity core's migration service creates
-- the tables (`identity migrate`).
CREATE DATABASE olympus_ciam;
CREATE DATABASE olympus_iam;
