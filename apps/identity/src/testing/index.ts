export { CookieJar, csrfOf, flowIn, withCode } from "./browser.ts";
export { fixtureSchemaPath, startTestCore, testConfig, type TestCore } from "./core.ts";
export {
  extractCode,
  freePort,
  linkOf,
  startMailCatcher,
  type CaughtMail,
  type MailCatcher,
} from "./mailcatcher.ts";
