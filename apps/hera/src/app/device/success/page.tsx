import type { Metadata } from "next";
import { toSearchParams } from "@/lib/flow-urls";

export const metadata: Metadata = { title: "Device" };

/** Where the OAuth2 provider ends a device flow (`urls.device.success`), with `error` when it was refused. */
export default async function DeviceSuccessPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = toSearchParams(await props.searchParams);
  if (params.get("error")) {
    return (
      <section className="hera-card" aria-labelledby="title">
        <h1 id="title">Device not connected</h1>
        <p>You did not allow the device to use your account. You can close this window.</p>
      </section>
    );
  }
  return (
    <section className="hera-card" aria-labelledby="title">
      <h1 id="title">Device connected</h1>
      <p>Your device can now use your account. You can close this window and go back to it.</p>
    </section>
  );
}
