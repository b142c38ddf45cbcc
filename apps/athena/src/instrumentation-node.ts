import { athenaEnv } from "./lib/env";

try {
  const env = athenaEnv();
  console.log(
    `[athena] managing the ${env.domain.toUpperCase()} domain at ${env.publicUrl}; administrators sign in via ${env.auth.issuerUrl}`,
  );
} catch (e) {
  console.error(`[athena] ${(e as Error).message}`);
  process.exit(1);
}
