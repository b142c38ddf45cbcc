// Writes @ory/elements-react's translations for Hera's languages to src/lib/i18n/ory-locales.json.
// Server components cannot import elements' main entry (it pulls in client-only React hooks), so
// the translations Hera renders on the server come from this copy; a unit test keeps it equal to
// the installed elements version. Run after upgrading @ory/elements-react:
//   node scripts/ory-locales.mjs
import { writeFileSync } from "node:fs";
import { OryLocales } from "@ory/elements-react";

const pick = ["en", "de", "fr", "es", "pt"];
const out = Object.fromEntries(pick.map((l) => [l, OryLocales[l]]));
writeFileSync(
  new URL("../src/lib/i18n/ory-locales.json", import.meta.url),
  `${JSON.stringify(out, null, 1)}\n`,
);
