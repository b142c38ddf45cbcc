import { ok, route } from "@/lib/api";
import { listRuntimeSettings } from "@/lib/core/security";

export const dynamic = "force-dynamic";

/** The run-time settings as the core types them: key, type and range, default, value, explanation. */
export const GET = route("read", async () => ok({ settings: await listRuntimeSettings() }));
