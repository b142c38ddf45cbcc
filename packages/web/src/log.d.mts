import type { IncomingMessage, Server, ServerResponse } from "node:http";

export type Level = "debug" | "info" | "warn" | "error";
export type Logger = Record<Level, (msg: string, fields?: Record<string, unknown>) => void>;

export interface RequestLogOptions {
  logger: Logger;
  /** Keep a well-formed X-Request-Id the caller sent (only behind a proxy that sets it); default false. */
  trustIncoming?: boolean;
  /** Paths that get an id but no request line. */
  quiet?: (path: string) => boolean;
}

export declare const REQUEST_ID: RegExp;
export declare const REQUEST_ID_HEADER: "x-request-id";
export declare function createLogger(
  service: string,
  o?: { write?: (line: string, level: Level) => void },
): Logger;
export declare function routeConsole(logger: Logger, target?: Console): void;
export declare function requestIdFor(given: string | string[] | undefined, trustIncoming: boolean): string;
export declare function installRequestLogging(serverPrototype: Server, o: RequestLogOptions): void;
export declare function observe(req: IncomingMessage, res: ServerResponse, o: RequestLogOptions): string;
export declare function currentRequestId(): string | undefined;
export declare function quietNextPath(path: string): boolean;
export declare function fetchWithRequestId(
  fetchImpl: typeof fetch,
  currentId?: () => string | null | undefined | Promise<string | null | undefined>,
): typeof fetch;
