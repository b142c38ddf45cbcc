import { buildSearchIndex } from "../../../lib/docs";

// Built once, at build time: the index is a small JSON file served like any static asset.
export const dynamic = "force-static";

export function GET() {
  return Response.json(buildSearchIndex());
}
