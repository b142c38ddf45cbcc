import type { CDPSession, Page } from "@playwright/test";

/*
 * Chromium's virtual WebAuthn authenticator (DevTools protocol `WebAuthn.enable` +
 * `WebAuthn.addVirtualAuthenticator`): real credentials, real signatures, no hardware and no prompt.
 * A `platform` authenticator stands for a phone or laptop passkey (resident keys, user verification);
 * a `securityKey` for a USB key used as a second factor.
 */

export interface VirtualAuthenticator {
  cdp: CDPSession;
  id: string;
  /** The credentials it holds (ids base64, as the protocol reports them). */
  credentials(): Promise<{ credentialId: string; isResidentCredential: boolean; signCount: number }[]>;
  remove(): Promise<void>;
}

export async function addVirtualAuthenticator(
  page: Page,
  kind: "platform" | "securityKey" = "platform",
): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const options =
    kind === "platform"
      ? {
          protocol: "ctap2" as const,
          ctap2Version: "ctap2_1" as const,
          transport: "internal" as const,
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        }
      : {
          protocol: "ctap2" as const,
          transport: "usb" as const,
          hasResidentKey: false,
          hasUserVerification: false,
          automaticPresenceSimulation: true,
        };
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", { options });
  return {
    cdp,
    id: authenticatorId,
    async credentials() {
      const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
      return credentials;
    },
    async remove() {
      await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
    },
  };
}
