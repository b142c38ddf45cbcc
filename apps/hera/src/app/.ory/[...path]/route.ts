import { heraEnv } from "@/lib/env";
import { forwardToCore } from "@/lib/forward";
import { upstreamAcceptLanguage } from "@/lib/i18n/locales";

// The browser's self-service traffic (flow creation, form posts, elements' JSON calls, whoami)
// reaches the identity core through here, so cookies and `ui.action` stay first-party.
export const dynamic = "force-dynamic";

function handle(request: Request): Promise<Response> {
  const env = heraEnv();
  // A language picked in Hera goes first in the core's Accept-Language, so emails match the page.
  const acceptLanguage = upstreamAcceptLanguage(
    request.headers.get("cookie"),
    request.headers.get("accept-language"),
  );
  return forwardToCore(request, {
    corePublicUrl: env.kratosPublicUrl,
    publicUrl: env.publicUrl,
    ...(acceptLanguage ? { acceptLanguage } : {}),
  });
}

export { handle as GET, handle as POST, handle as PUT, handle as PATCH, handle as DELETE, handle as HEAD };
export { handle as OPTIONS };
