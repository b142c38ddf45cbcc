import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Json } from "../../../../components/playground/Json";
import { StepView } from "../../../../components/playground/StepView";
import { isDomain } from "../../../../lib/config";
import { startDeviceAction } from "../../actions";
import { currentPlayground } from "../../session";

export const metadata: Metadata = { title: "OAuth2 playground — device flow" };

interface Props {
  params: Promise<{ domain: string }>;
}

/**
 * The device flow (RFC 8628): the Site's server plays the device (a TV, a CLI) with the public playground
 * client; the user code and verification address are shown here, the user allows in any browser, and the
 * page follows the polling until the tokens come (it reloads itself every few seconds while it waits).
 */
export default async function Device({ params }: Props) {
  const { domain } = await params;
  if (!isDomain(domain)) notFound();
  const { settings, session } = await currentPlayground(domain);
  const device = session?.device;
  const waiting = device?.status === "pending" || device?.status === "starting";
  return (
    <div className="container pg">
      {waiting && <meta httpEquiv="refresh" content="3" />}
      <h1>{settings.label}: device flow</h1>
      <p className="lead muted">
        For a device without a browser or a keyboard: it asks for a code, you confirm it in a browser you have
        at hand, and the device polls the token endpoint until you did (RFC 8628). Here the Site&apos;s server
        plays the device, with the public client <code>{settings.clientId}</code>.
      </p>
      <form action={startDeviceAction.bind(null, domain)} className="inline-form">
        <button type="submit" id="device-start">
          {device ? "Start again" : "Start the device flow"}
        </button>
      </form>
      {device?.userCode && (
        <section className="card" aria-labelledby="device-code-title">
          <h2 id="device-code-title">On another device or browser</h2>
          <p>
            Open{" "}
            <a href={device.verificationUri} data-verification-uri target="_blank" rel="noreferrer">
              {device.verificationUri}
            </a>{" "}
            and type the code <strong data-user-code>{device.userCode}</strong>
            {device.verificationUriComplete && (
              <>
                {" "}
                — or open{" "}
                <a
                  href={device.verificationUriComplete}
                  data-verification-uri-complete
                  target="_blank"
                  rel="noreferrer"
                >
                  the address with the code in it
                </a>
              </>
            )}
            .
          </p>
          <p data-device-status={device.status}>
            {device.status === "pending" &&
              `Polling every ${device.interval ?? 5} seconds (5 more after each slow_down)… this page reloads itself.`}
            {device.status === "done" && <span className="badge ok">tokens received</span>}
            {device.status === "failed" && <span className="badge bad">no tokens</span>}
          </p>
          {device.tokens && (
            <div data-device-tokens>
              <Json value={device.tokens} label="The device's tokens" />
            </div>
          )}
        </section>
      )}
      {device?.steps.map((s, i) => (
        <StepView key={s.seq} step={s} index={i} />
      ))}
      <p>
        <Link href="/playground">Back to the playground</Link>
      </p>
    </div>
  );
}
