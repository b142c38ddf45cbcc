import { NextResponse } from "next/server";
import { athenaEnv } from "@/lib/env";

export const dynamic = "force-dynamic";

/** Liveness, and which domain this instance manages. */
export function GET() {
  return NextResponse.json(
    { status: "ok", domain: athenaEnv().domain },
    { headers: { "cache-control": "no-store" } },
  );
}
