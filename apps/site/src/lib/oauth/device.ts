import * as client from "openid-client";
import type { DomainSettings } from "../config";
import { codeOfClientError, explainError } from "./errors";
import { configure, discover, tokenSetOf } from "./playground";
import { HttpRecorder } from "./recorder";
import { newStep, type PlaygroundSession } from "./store";

/*
 * The device flow (RFC 8628) as a TV would run it, played by the Site's server with the public playground
 * client: ask for a device and user code, show the user code and the verification address, then poll
 * the token endpoint in the background every `interval` seconds (openid-client waits the interval and
 * adds 5 seconds whenever the server answers slow_down) until the user allowed or denied in a browser,
 * or the code expired. Every request is recorded; the page shows them as they happen.
 */

/** Starts a device flow for this session (a previous one is forgotten); polling goes on in the background. */
export async function startDeviceFlow(settings: DomainSettings, session: PlaygroundSession): Promise<void> {
  const recorder = new HttpRecorder();
  const step = newStep("device_authorization", recorder.exchanges);
  const device: NonNullable<PlaygroundSession["device"]> = { steps: [step], status: "starting" };
  session.device = device;
  let config: client.Configuration;
  let metadata: client.ServerMetadata;
  let authorization: client.DeviceAuthorizationResponse;
  try {
    metadata = await discover(settings);
    config = configure(settings, metadata, recorder);
    authorization = await client.initiateDeviceAuthorization(config, { scope: settings.scope });
  } catch (e) {
    const { code, raw } = codeOfClientError(e);
    step.error = explainError(code, raw);
    device.status = "failed";
    return;
  }
  step.response = authorization;
  device.userCode = authorization.user_code;
  device.verificationUri = authorization.verification_uri;
  if (authorization.verification_uri_complete)
    device.verificationUriComplete = authorization.verification_uri_complete;
  device.interval = authorization.interval ?? 5;
  device.status = "pending";

  const pollRecorder = new HttpRecorder();
  const poll = newStep("device_code", pollRecorder.exchanges);
  device.steps.push(poll);
  const pollConfig = configure(settings, metadata, pollRecorder);
  void client
    .pollDeviceAuthorizationGrant(pollConfig, authorization, undefined, {
      signal: AbortSignal.timeout((authorization.expires_in + 5) * 1000),
    })
    .then(
      () => undefined,
      (e: unknown) => {
        const { code, raw } = codeOfClientError(e);
        poll.error = explainError(code, raw);
      },
    )
    .finally(() => {
      poll.response = metadata.token_endpoint ? pollRecorder.lastJson(metadata.token_endpoint) : undefined;
      const tokens = tokenSetOf(poll.response);
      if (tokens && !poll.error) {
        device.tokens = tokens;
        device.status = "done";
      } else {
        device.status = "failed";
      }
    });
}
