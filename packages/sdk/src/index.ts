export { createDomainClients, type ClientOptions, type DomainClients } from "./clients.ts";
export { endpointsFromEnv, localEndpoints, type DomainEndpoints, type DomainName } from "./domains.ts";
export {
  OlympusAdminApi,
  OlympusApiError,
  OlympusOAuth2AdminApi,
  nextPageToken,
  prevPageToken,
  type OlympusIdentitySearch,
  type OlympusSentEmail,
  type OlympusIdentitySearchPage,
  type OlympusAuditEvent,
  type OlympusAuditFilter,
  type OlympusLockout,
  type OlympusPage,
  type OlympusSetting,
  type OlympusSettingInput,
  type OlympusPasswordCheck,
  type OlympusPasswordPolicy,
  type OlympusOidcProvider,
  type OlympusOidcProviders,
  type OlympusStats,
  type RotatedClientSecret,
} from "./olympus.ts";
export * from "@ory/client-fetch";
export {
  CSV_COLUMNS,
  IMPORT_BATCH_SIZE,
  allIdentities,
  defaultImportSchema,
  exportIdentities,
  identitiesFromCsv,
  identitiesFromJson,
  identitiesToCsv,
  importIdentities,
  toImportShape,
  type ImportResult,
  type ImportRow,
} from "./transfer.ts";
