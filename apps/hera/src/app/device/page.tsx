import type { Metadata } from "next";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { formToken } from "@/lib/form-token";

export const metadata: Metadata = { title: "Connect a device" };

/**
 * The device flow's user-code page (RFC 8628; the OAuth2 provider's `urls.device.verification`): the
 * provider sends the browser here with a `device_challenge` (and the `user_code` when the device's
 * link carried it); the user types or confirms the code shown on the device.
 */
export default async function DevicePage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  const params = toSearchParams(await props.searchParams);
  const challenge = params.get("device_challenge");
  if (!challenge || challenge.length > 4096) {
    return (
      <section className="hera-card" aria-labelledby="title">
        <h1 id="title">Connect a device</h1>
        <p>Open the address your device shows (or scan its code) to connect it to your account.</p>
      </section>
    );
  }
  const userCode = (params.get("user_code") ?? "").slice(0, 64);
  const invalid = params.get("error") === "invalid_code";
  return (
    <section className="hera-card" aria-labelledby="title">
      <h1 id="title">Connect a device</h1>
      <p>
        {userCode
          ? "Check that this code is the one your device shows, then continue."
          : "Enter the code your device shows."}
      </p>
      <form method="post" action="/device/submit" className="hera-card-form">
        <input type="hidden" name="device_challenge" value={challenge} />
        <input type="hidden" name="csrf_token" value={formToken(env.csrfSecret, "device", challenge)} />
        <label className="hera-field">
          <span>Device code</span>
          <input
            name="user_code"
            defaultValue={userCode}
            required
            maxLength={64}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            aria-invalid={invalid || undefined}
            aria-describedby={invalid ? "code-error" : undefined}
          />
        </label>
        {invalid ? (
          <p id="code-error" className="hera-message hera-message-error" role="alert">
            That code is not valid: it may have expired or been used already. Check your device and try again.
          </p>
        ) : null}
        <div className="hera-actions">
          <button type="submit" className="hera-button">
            Continue
          </button>
        </div>
      </form>
    </section>
  );
}
