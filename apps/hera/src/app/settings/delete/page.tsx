import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SubmitButton } from "@/components/submit-button";
import { toSearchParams } from "@/lib/flow-urls";
import { loadFlow } from "@/lib/flows";
import { requestI18n } from "@/lib/i18n/server";
import { deletionOffered } from "@/lib/ory";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await requestI18n();
  return { title: t("title.delete") };
}

/** The settings flow's CSRF token (its `csrf_token` node). */
function csrfToken(nodes: { attributes: unknown }[]): string {
  for (const n of nodes) {
    const a = n.attributes as { name?: string; value?: unknown };
    if (a.name === "csrf_token" && typeof a.value === "string") return a.value;
  }
  return "";
}

/**
 * "Delete your account?": says what goes and asks to confirm. The form posts the settings flow's CSRF
 * token with `method=delete_account` straight to the core (a plain post, so it works without
 * JavaScript); the core checks the session, the token, the flow's identity and a recent sign-in.
 */
export default async function DeleteAccountPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { t } = await requestI18n();
  const flow = await loadFlow("settings", toSearchParams(await props.searchParams));
  // Where the domain does not let people delete their accounts, there is nothing to confirm here.
  if (!(await deletionOffered())) redirect(`/settings?flow=${encodeURIComponent(flow.id)}`);
  const traits = (flow.identity.traits ?? {}) as Record<string, unknown>;
  const who =
    typeof traits.email === "string"
      ? traits.email
      : typeof traits.username === "string"
        ? traits.username
        : "";
  return (
    <section className="hera-card" aria-labelledby="delete-title">
      <h1 id="delete-title">{t("delete.confirm-title")}</h1>
      <p>{who ? t("delete.confirm-body-who", { who }) : t("delete.confirm-body")}</p>
      <p className="hera-meta">{t("delete.confirm-reauth")}</p>
      <form method="post" action={flow.ui.action} className="hera-card-form">
        <input type="hidden" name="csrf_token" value={csrfToken(flow.ui.nodes)} />
        <input type="hidden" name="method" value="delete_account" />
        <div className="hera-check">
          <input id="delete-confirm" type="checkbox" required />
          <label htmlFor="delete-confirm">{t("delete.confirm-check")}</label>
        </div>
        <div className="hera-actions">
          <SubmitButton className="hera-button hera-danger" pendingLabel={t("delete.pending")}>
            {t("delete.confirm-button")}
          </SubmitButton>
          <a className="hera-button hera-secondary" href={`/settings?flow=${encodeURIComponent(flow.id)}`}>
            {t("delete.cancel")}
          </a>
        </div>
      </form>
    </section>
  );
}
