// Pinned to 1.0.41: the 1.x line is MIT licensed (2.x changed to AGPL-3.0).
import { UAParser } from "ua-parser-js";

/**
 * A session's device as a person recognises it: "Chrome 156 · Linux", or undefined when unknown.
 * Hera's session list and Athena's Sessions page both use it.
 * @param {string | undefined | null} userAgent
 * @returns {string | undefined}
 */
export function describeUserAgent(userAgent) {
  if (!userAgent) return undefined;
  // Hostile input: the header is whatever the client sent. Bounded before parsing.
  const ua = new UAParser(userAgent.slice(0, 512)).getResult();
  const browser = [ua.browser.name, ua.browser.major].filter(Boolean).join(" ");
  const os = [ua.os.name, ua.os.version?.split(".")[0]].filter(Boolean).join(" ");
  const device = ua.device.vendor && ua.device.model ? `${ua.device.vendor} ${ua.device.model}` : "";
  const where = [device, os].filter(Boolean).join(", ");
  if (!browser && !where) return undefined;
  if (!browser) return where;
  return where ? `${browser} · ${where}` : browser;
}
