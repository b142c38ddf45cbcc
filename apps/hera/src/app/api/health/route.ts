// Liveness for supervisors (octl, Kubernetes): answers without calling the identity core.
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
