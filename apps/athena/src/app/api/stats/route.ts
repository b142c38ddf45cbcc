import { ok, route } from "@/lib/api";
import { dashboardFigures } from "@/lib/core/stats";

export const dynamic = "force-dynamic";

/** The dashboard's figures. */
export const GET = route("read", async () => ok(await dashboardFigures()));
