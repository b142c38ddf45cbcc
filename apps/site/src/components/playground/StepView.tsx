import type { PlaygroundStep } from "../../lib/oauth/store";
import { ErrorPanel } from "./ErrorPanel";
import { HttpPanel } from "./HttpPanel";
import { IdTokenPanel } from "./IdTokenPanel";
import { Json } from "./Json";

export const STEP_TITLES: Record<PlaygroundStep["kind"], string> = {
  authorization_code: "Token request (authorization_code grant)",
  userinfo: "GET /userinfo",
  refresh_token: "Token request (refresh_token grant)",
  code_reuse: "The same code, redeemed again",
  client_credentials: "Token request (client_credentials grant)",
  device_authorization: "Device authorization request (RFC 8628)",
  device_code: "Polling the token endpoint (device_code grant)",
  introspection: "Token introspection (RFC 7662, from the Site's server)",
};

/** One step of a playground session: its outcome, raw response, ID token and HTTP exchanges. */
export function StepView({ step, index }: { step: PlaygroundStep; index: number }) {
  const main = step.http.find((x) => !x.url.includes("jwks")) ?? step.http[0];
  return (
    <section
      className="step"
      id={`step-${index + 1}`}
      data-step={step.kind}
      aria-labelledby={`step-title-${index + 1}`}
    >
      <h2 id={`step-title-${index + 1}`}>
        {index + 2}. {STEP_TITLES[step.kind]}{" "}
        {step.error ? <span className="badge bad">failed</span> : <span className="badge ok">ok</span>}
      </h2>
      {step.kind === "code_reuse" && (
        <p className="small">
          A code is good for one redemption. RFC 6749 §4.1.2 also lets the server revoke the tokens issued
          with a code that is presented twice, and Olympus does: <em>Call /userinfo again</em> shows it.
        </p>
      )}
      {step.kind === "introspection" && (
        <p className="small">
          Introspection is an admin endpoint of the identity core: it is not public, so the Site&apos;s server
          calls it and shows the exchange here without the admin API&apos;s address.
        </p>
      )}
      {step.error && <ErrorPanel error={step.error} />}
      {step.response !== undefined && (
        <>
          <h3>{step.kind === "userinfo" ? "The /userinfo answer" : "Raw response"}</h3>
          <div data-raw-response={step.kind}>
            <Json value={step.response} label={`${STEP_TITLES[step.kind]} response`} />
          </div>
        </>
      )}
      {step.idToken && (
        <IdTokenPanel
          report={step.idToken}
          title={step.kind === "refresh_token" ? "Refreshed ID token" : "ID token"}
        />
      )}
      {step.http.length > 0 && (
        <>
          <h3>HTTP exchanges</h3>
          {step.http.map((x) => (
            <HttpPanel key={x.seq} exchange={x} open={x === main && Boolean(step.error)} />
          ))}
        </>
      )}
    </section>
  );
}
