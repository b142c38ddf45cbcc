import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { isDomain } from "../../../../lib/config";
import { explainError } from "../../../../lib/oauth/errors";
import { SESSION_COOKIE_MAX_AGE } from "../../../../lib/oauth/flow-cookie";
import { redeemCallback } from "../../../../lib/oauth/playground";
import { type PlaygroundSession, playgroundStore } from "../../../../lib/oauth/store";
import { ErrorPanel } from "../../../../components/playground/ErrorPanel";
import { StepView } from "../../../../components/playground/StepView";
import {
  introspectAction,
  logoutAction,
  redeemAgainAction,
  refreshAction,
  userinfoAction,
} from "../../actions";
import { currentPlayground } from "../../session";

export const metadata: Metadata = { title: "OAuth2 playground — callback", referrer: "same-origin" };

interface Props {
  params: Promise<{ domain: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

function Actions({ domain, session }: { domain: string; session: PlaygroundSession }) {
  const tokens = session.tokens;
  return (
    <section aria-labelledby="next-steps">
      <h2 id="next-steps">Next</h2>
      <div className="row">
        {tokens?.refresh_token && (
          <form action={refreshAction.bind(null, domain)} className="inline-form">
            <button type="submit" id="refresh">
              Refresh tokens
            </button>
          </form>
        )}
        {tokens?.access_token && (
          <form action={userinfoAction.bind(null, domain)} className="inline-form">
            <button type="submit" className="secondary" id="userinfo">
              Call /userinfo again
            </button>
          </form>
        )}
        {tokens?.access_token && (
          <form action={introspectAction.bind(null, domain)} className="inline-form">
            <button type="submit" className="secondary" id="introspect">
              Introspect the tokens
            </button>
          </form>
        )}
        {session.callback?.code && (
          <form action={redeemAgainAction.bind(null, domain)} className="inline-form">
            <button type="submit" className="secondary" id="redeem-again">
              Redeem the code again
            </button>
          </form>
        )}
        {tokens?.id_token && (
          <form action={logoutAction.bind(null, domain)} className="inline-form">
            <button type="submit" className="danger" id="logout">
              Sign out (RP-initiated logout)
            </button>
          </form>
        )}
        <Link className="button secondary" href="/playground">
          Start over
        </Link>
      </div>
      <p className="small muted" hidden={!tokens?.id_token}>
        Sign out sends the browser to the provider&apos;s <code>/oauth2/sessions/logout</code> with{" "}
        <code>id_token_hint</code>, <code>post_logout_redirect_uri</code> and a fresh <code>state</code>.
      </p>
    </section>
  );
}

export default async function Callback({ params, searchParams }: Props) {
  const { domain } = await params;
  if (!isDomain(domain)) notFound();
  const sp = await searchParams;
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(sp)) if (typeof v === "string") search.append(k, v);

  const { settings, flow, sessionId } = await currentPlayground(domain);
  let session = playgroundStore.get(sessionId, domain);
  // The session id cookie is set with the flow; memory can be empty after a restart of the Site.
  if (!session && sessionId && flow)
    session = playgroundStore.create(sessionId, domain, SESSION_COOKIE_MAX_AGE * 1000);

  if (!session) {
    return (
      <div className="container pg">
        <h1>{settings.label} callback</h1>
        <CallbackParams search={search} />
        <ErrorPanel error={explainError("flow_missing", Object.fromEntries(search))} />
        <Link className="button" href="/playground">
          Back to the playground
        </Link>
      </div>
    );
  }

  if (session.callback?.search !== search.toString()) {
    if (session.flowState && flow?.state === session.flowState && search.get("state") === flow.state) {
      // This flow's state was already answered once; a second answer is not redeemed.
      session.callbackError = explainError("flow_missing", {
        reason: "this authorization request was already answered",
        ...Object.fromEntries(search),
      });
      session.callback = { search: search.toString() };
    } else {
      session.steps = [];
      session.callbackError = undefined;
      session.tokens = undefined;
      session.pending = redeemCallback(settings, session, flow, search);
    }
  }
  await session.pending;

  const stateOk = flow ? search.get("state") === flow.state : session.flowState === search.get("state");
  return (
    <div className="container pg">
      <h1>
        {settings.label} callback{" "}
        {session.tokens ? (
          <span className="badge ok" data-signed-in>
            signed in
          </span>
        ) : null}
      </h1>
      <section className="step" aria-labelledby="step-1">
        <h2 id="step-1">1. Authorization response</h2>
        <p className="small">
          The identity provider sent the browser back to <code>{settings.redirectUri}</code> with:
        </p>
        <CallbackParams search={search} />
        <p data-state-check={String(stateOk)}>
          <span className={`badge ${stateOk ? "ok" : "bad"}`}>{stateOk ? "passed" : "failed"}</span>{" "}
          <code>state</code>{" "}
          {stateOk ? "matches the one this browser sent" : "does not match the one this browser sent"}
        </p>
      </section>
      {session.callbackError && <ErrorPanel error={session.callbackError} />}
      {session.steps.map((s, i) => (
        <StepView key={s.seq} step={s} index={i} />
      ))}
      <Actions domain={domain} session={session} />
    </div>
  );
}

function CallbackParams({ search }: { search: URLSearchParams }) {
  const entries = [...search.entries()];
  if (!entries.length) return <p className="muted">(no parameters)</p>;
  return (
    <dl className="kv" aria-label="Callback parameters">
      {entries.map(([k, v]) => (
        <div key={k} className="contents" data-callback-param={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
