export { CookieJar } from "./browser.ts";
export { fixtureSchemaPath, startTestCore, testConfig, type TestCore } from "./core.ts";
export { extractCode, freePort, startMailCatcher, type CaughtMail, type MailCatcher } from "./mailcatcher.ts";
