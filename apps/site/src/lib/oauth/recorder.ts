/** One HTTP request the playground made to the identity core, as it went over the wire. */
export interface HttpExchange {
  /** Unique in this process (a stable key for rendering). */
  seq: number;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  /** Set when no response came back (connection refused, timeout). */
  networkError?: string;
  ms: number;
}

const MAX_BODY = 64 * 1024;
let nextSeq = 1;

/** What openid-client's customFetch passes (its body may be a Uint8Array, which fetch accepts). */
interface FetchInit {
  method?: string;
  headers?: HeadersInit;
  body?: unknown;
  redirect?: RequestRedirect;
  signal?: AbortSignal | null;
}

function bodyText(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return body;
  if (body instanceof URLSearchParams) return body.toString();
  return "(binary body)";
}

/**
 * A fetch for openid-client's customFetch hook that keeps a copy of every request and response, so the
 * playground can show the raw token response even when the library rejects it.
 */
export class HttpRecorder {
  readonly exchanges: HttpExchange[] = [];

  readonly fetch = async (url: string | URL, init: FetchInit = {}): Promise<Response> => {
    const started = Date.now();
    const entry: HttpExchange = {
      seq: nextSeq++,
      method: (init.method ?? "GET").toUpperCase(),
      url: String(url),
      requestHeaders: Object.fromEntries(new Headers(init.headers).entries()),
      ms: 0,
    };
    const body = bodyText(init.body);
    if (body !== undefined) entry.requestBody = body;
    this.exchanges.push(entry);
    try {
      const res = await fetch(url, init as RequestInit);
      entry.status = res.status;
      entry.responseHeaders = Object.fromEntries(res.headers.entries());
      const text = await res.clone().text();
      entry.responseBody = text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}\n… (truncated)` : text;
      return res;
    } catch (e) {
      entry.networkError = (e as Error).cause ? String((e as Error).cause) : (e as Error).message;
      throw e;
    } finally {
      entry.ms = Date.now() - started;
    }
  };

  /** The last response whose URL starts with `url`, parsed as JSON when it is JSON. */
  lastJson(url: string): unknown {
    const hit = [...this.exchanges]
      .reverse()
      .find((x) => x.url.startsWith(url) && x.responseBody !== undefined);
    if (!hit?.responseBody) return undefined;
    try {
      return JSON.parse(hit.responseBody);
    } catch {
      return hit.responseBody;
    }
  }
}
