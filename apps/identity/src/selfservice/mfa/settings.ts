import type { Context } from "hono";
import QRCode from "qrcode";
import { and, eq } from "drizzle-orm";
import type { AppContext } from "../../app/context.ts";
import type { Tx } from "../../db/client.ts";
import { identityCredentialIdentifiers, identityCredentials } from "../../db/schema.ts";
import { type FullIdentity, loadIdentity } from "../../identity/repository.ts";
import { uuid } from "../../security/random.ts";
import type { ActiveSession } from "../../session/session.ts";
import { unverifiedAddresses } from "../flow/address-proof.ts";
import { str } from "../flow/common.ts";
import { text } from "../flow/text.ts";
import { type FlowRow, updateFlow } from "../flow/repository.ts";
import { addMessage, addNodeMessage, inputNode, type UiContainer, type UiNode } from "../flow/ui.ts";
import { saveSettingsChange, showRefusal } from "../hook/index.ts";
import { isPrivileged } from "../settings/privileged.ts";
import {
  hasTotp,
  type LookupConfig,
  matchTotp,
  newLookupCodes,
  newTotp,
  sealTotpUrl,
  totpFromUrl,
} from "./credentials.ts";
import { lookupEnabled, totpEnabled, upgradeSession } from "./login.ts";
import { mfaText } from "./text.ts";

/*
 * The settings flow's second-factor sections, with Kratos' node names:
 * - totp: `totp_qr` (img, data: URI PNG), `totp_secret_key` (text), `totp_code` + method=totp to link;
 *   `totp_unlink` once linked. The key being enrolled lives in the flow's data until it is confirmed.
 * - lookup_secret: `lookup_secret_regenerate` shows 12 new codes (`lookup_secret_codes`) with
 *   `lookup_secret_confirm`; only confirming stores them (as HMACs, so they are shown this once).
 *   `lookup_secret_reveal` then shows which codes are used; `lookup_secret_disable` removes them.
 * Every change needs a privileged session (recently authenticated), as in Kratos.
 */

export type MfaMethod = "totp" | "lookup_secret";

interface MfaData {
  totp_url?: string;
  lookup_pending?: string[];
}

const truthy = (v: unknown) => v === true || v === "true";

/** The method a settings submission is for, also when a client only sent a button (`totp_unlink`, …). */
export function mfaMethod(body: Record<string, unknown>): MfaMethod | undefined {
  const m = str(body, "method");
  if (m === "totp" || m === "lookup_secret") return m;
  if (m !== undefined) return undefined;
  if (truthy(body.totp_unlink)) return "totp";
  if (
    [
      "lookup_secret_regenerate",
      "lookup_secret_confirm",
      "lookup_secret_reveal",
      "lookup_secret_disable",
    ].some((k) => truthy(body[k]))
  ) {
    return "lookup_secret";
  }
  return undefined;
}

export function mfaSettingsEnabled(ctx: AppContext, method: string | undefined): method is MfaMethod {
  return (method === "totp" && totpEnabled(ctx)) || (method === "lookup_secret" && lookupEnabled(ctx));
}

function submit(group: "totp" | "lookup_secret", name: string, label: ReturnType<typeof mfaText.unlinkTotp>) {
  return inputNode(group, name, "submit", { value: "true", label });
}

function hasLookup(identity: FullIdentity): boolean {
  const cfg = identity.credentials.find((c) => c.type === "lookup_secret")?.config as
    | LookupConfig
    | undefined;
  return (cfg?.recovery_codes?.length ?? 0) > 0;
}

async function totpEnrolNodes(url: string): Promise<UiNode[]> {
  const totp = totpFromUrl(url);
  const src = await QRCode.toDataURL(url, { width: 256, margin: 1, errorCorrectionLevel: "M" });
  return [
    {
      type: "img",
      group: "totp",
      attributes: { src, id: "totp_qr", width: 256, height: 256, node_type: "img" },
      messages: [],
      meta: { label: mfaText.totpQrCode() },
    },
    {
      type: "text",
      group: "totp",
      attributes: { text: mfaText.totpSecret(totp.secret.base32), id: "totp_secret_key", node_type: "text" },
      messages: [],
      meta: { label: mfaText.totpSecretLabel() },
    },
    inputNode("totp", "totp_code", "text", {
      required: true,
      autocomplete: "one-time-code",
      label: mfaText.labelVerifyCode(),
    }),
    inputNode("totp", "method", "submit", { value: "totp", label: mfaText.labelSave() }),
  ];
}

/**
 * The second-factor nodes of a settings form for an identity, and the flow data they need (a TOTP key
 * being enrolled is kept — or created — in `data.totp_url`).
 */
export async function mfaSettingsNodes(
  ctx: AppContext,
  identity: FullIdentity,
  data: Record<string, unknown> = {},
): Promise<{ nodes: UiNode[]; data: Record<string, unknown> }> {
  const nodes: UiNode[] = [];
  const out: Record<string, unknown> = { ...data };
  if (lookupEnabled(ctx)) {
    if (hasLookup(identity)) {
      nodes.push(
        submit("lookup_secret", "lookup_secret_reveal", mfaText.revealLookup()),
        submit("lookup_secret", "lookup_secret_regenerate", mfaText.regenerateLookup()),
        submit("lookup_secret", "lookup_secret_disable", mfaText.disableLookup()),
      );
    } else {
      nodes.push(submit("lookup_secret", "lookup_secret_regenerate", mfaText.regenerateLookup()));
    }
  }
  if (totpEnabled(ctx)) {
    if (hasTotp(identity)) {
      const unlink = submit("totp", "totp_unlink", mfaText.unlinkTotp());
      unlink.attributes.required = true;
      nodes.push(unlink);
      delete out.totp_url;
    } else {
      const url = typeof data.totp_url === "string" ? data.totp_url : newTotp(ctx, identity).toString();
      out.totp_url = url;
      nodes.push(...(await totpEnrolNodes(url)));
    }
  }
  return { nodes, data: out };
}

const MFA_GROUPS = new Set(["totp", "lookup_secret"]);

/** Replaces a UI's second-factor nodes with fresh ones for the identity (after any settings change). */
export async function withMfaSettings(
  ctx: AppContext,
  identity: FullIdentity,
  ui: UiContainer,
  flow: { id: string; data: Record<string, unknown> },
): Promise<UiContainer> {
  const { nodes, data } = await mfaSettingsNodes(ctx, identity, flow.data);
  await updateFlow(ctx.db, flow.id, { data });
  return { ...ui, nodes: [...ui.nodes.filter((n) => !MFA_GROUPS.has(n.group)), ...nodes] };
}

/** Keeps the second-factor nodes of `from` in a rebuilt UI (e.g. after a profile validation error). */
export function keepMfaNodes(from: UiContainer, nodes: UiNode[]): UiNode[] {
  return [...nodes, ...from.nodes.filter((n) => MFA_GROUPS.has(n.group))];
}

export type MfaOutcome =
  | { kind: "rejected"; ui: UiContainer }
  | { kind: "reauth" }
  /** Stay on the form (codes generated or revealed): answered 200 with the flow. */
  | { kind: "show"; ui: UiContainer }
  | {
      kind: "done";
      identity: FullIdentity;
      continueWith: Record<string, unknown>[];
      revoked: string[];
      event: string;
    };

async function setCredential(
  tx: Tx,
  identityId: string,
  type: MfaMethod,
  config: Record<string, unknown>,
): Promise<void> {
  const now = new Date();
  const [cred] = await tx
    .insert(identityCredentials)
    .values({ id: uuid(), identityId, type, config, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [identityCredentials.identityId, identityCredentials.type],
      set: { config, updatedAt: now },
    })
    .returning({ id: identityCredentials.id });
  // As in Kratos, the identifier of a second factor is the identity id.
  await tx
    .insert(identityCredentialIdentifiers)
    .values({ id: uuid(), credentialId: cred!.id, identityId, type, identifier: identityId, createdAt: now })
    .onConflictDoNothing();
}

async function removeCredential(tx: Tx, identityId: string, type: MfaMethod): Promise<void> {
  await tx
    .delete(identityCredentials)
    .where(and(eq(identityCredentials.identityId, identityId), eq(identityCredentials.type, type)));
}

function lookupSection(ui: UiContainer, nodes: UiNode[]): UiContainer {
  return { ...ui, nodes: [...ui.nodes.filter((n) => n.group !== "lookup_secret"), ...nodes] };
}

function codesNode(items: ReturnType<typeof mfaText.lookupSecret>[]): UiNode {
  return {
    type: "text",
    group: "lookup_secret",
    attributes: { text: mfaText.lookupSecretList(items), id: "lookup_secret_codes", node_type: "text" },
    messages: [],
    meta: { label: mfaText.lookupSecretsLabel() },
  };
}

async function done(
  ctx: AppContext,
  row: FlowRow,
  identityId: string,
  data: MfaData,
  event: string,
): Promise<MfaOutcome> {
  await updateFlow(ctx.db, row.id, { data: { ...row.data, ...data } });
  row.data = { ...row.data, ...data };
  const identity = (await loadIdentity(ctx.db, identityId))!;
  return { kind: "done", identity, continueWith: [], revoked: [], event };
}

/**
 * Writes a second-factor change after the method's after-settings web hooks (hook/index.ts): false
 * when one refused, its messages then on `ui` and nothing written.
 */
async function saveChange(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  session: ActiveSession,
  method: MfaMethod,
  ui: UiContainer,
  write: (tx: Tx) => Promise<void>,
): Promise<boolean> {
  const saved = await saveSettingsChange(c, ctx, { row, identity: session.identity, method }, write);
  if (saved.type === "saved") return true;
  showRefusal(ui, saved.refusal);
  return false;
}

async function updateTotp(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  session: ActiveSession,
  body: Record<string, unknown>,
  ui: UiContainer,
): Promise<MfaOutcome> {
  const identity = session.identity;
  const identityId = identity.identity.id;
  if (hasTotp(identity)) {
    if (!truthy(body.totp_unlink))
      return { kind: "done", identity, continueWith: [], revoked: [], event: "" };
    if (
      !(await saveChange(c, ctx, row, session, "totp", ui, (tx) => removeCredential(tx, identityId, "totp")))
    )
      return { kind: "rejected", ui };
    return done(ctx, row, identityId, {}, "settings.totp.unlinked");
  }
  const data = row.data as MfaData;
  const code = str(body, "totp_code")?.trim() ?? "";
  if (!data.totp_url) {
    addMessage(
      ui,
      mfaText.generic("The TOTP key of this flow is missing; please start a new settings flow."),
    );
    return { kind: "rejected", ui };
  }
  if (!code) {
    addNodeMessage(ui, "totp_code", mfaText.required("totp_code"));
    return { kind: "rejected", ui };
  }
  const step = matchTotp(totpFromUrl(data.totp_url), code);
  if (step === undefined) {
    addNodeMessage(ui, "totp_code", mfaText.totpInvalid());
    return { kind: "rejected", ui };
  }
  const linked = await saveChange(c, ctx, row, session, "totp", ui, (tx) =>
    setCredential(tx, identityId, "totp", {
      totp_url: sealTotpUrl(ctx, identityId, data.totp_url!),
      last_used_step: step,
    }),
  );
  if (!linked) return { kind: "rejected", ui };
  // Entering a code proved the second factor: the session is aal2 from now on, as in Kratos.
  await upgradeSession(ctx, session.row, "totp");
  const { totp_url: _enrolled, ...rest } = row.data as MfaData & Record<string, unknown>;
  row.data = rest;
  await updateFlow(ctx.db, row.id, { data: rest });
  const fresh = (await loadIdentity(ctx.db, identityId))!;
  return { kind: "done", identity: fresh, continueWith: [], revoked: [], event: "settings.totp.linked" };
}

async function updateLookup(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  session: ActiveSession,
  body: Record<string, unknown>,
  ui: UiContainer,
): Promise<MfaOutcome> {
  const identity = session.identity;
  const identityId = identity.identity.id;
  const data = row.data as MfaData;
  if (truthy(body.lookup_secret_confirm)) {
    if (data.lookup_pending?.length !== 12) {
      addMessage(
        ui,
        mfaText.generic("You must (re-)generate recovery backup codes before you can save them."),
      );
      return { kind: "rejected", ui };
    }
    const pending = data.lookup_pending;
    const confirmed = await saveChange(c, ctx, row, session, "lookup_secret", ui, (tx) =>
      setCredential(tx, identityId, "lookup_secret", {
        recovery_codes: pending.map((code_hash) => ({ code_hash })),
      }),
    );
    if (!confirmed) return { kind: "rejected", ui };
    await upgradeSession(ctx, session.row, "lookup_secret");
    return done(ctx, row, identityId, { lookup_pending: undefined }, "settings.lookup_secret.confirmed");
  }
  if (truthy(body.lookup_secret_disable)) {
    const disabled = await saveChange(c, ctx, row, session, "lookup_secret", ui, (tx) =>
      removeCredential(tx, identityId, "lookup_secret"),
    );
    if (!disabled) return { kind: "rejected", ui };
    return done(ctx, row, identityId, { lookup_pending: undefined }, "settings.lookup_secret.disabled");
  }
  if (truthy(body.lookup_secret_regenerate)) {
    const { codes, hashes } = newLookupCodes(ctx, identityId);
    const shown = lookupSection(ui, [
      codesNode(codes.map((c) => mfaText.lookupSecret(c))),
      submit("lookup_secret", "lookup_secret_confirm", mfaText.confirmLookup()),
    ]);
    await updateFlow(ctx.db, row.id, { ui: shown, data: { ...row.data, lookup_pending: hashes } });
    return { kind: "show", ui: shown };
  }
  if (truthy(body.lookup_secret_reveal)) {
    const cfg = identity.credentials.find((c) => c.type === "lookup_secret")?.config as
      | LookupConfig
      | undefined;
    if (!cfg?.recovery_codes?.length) {
      addMessage(ui, mfaText.noLookup());
      return { kind: "rejected", ui };
    }
    // Codes are stored as HMACs: what can be shown is which are used, and that the others remain.
    const items = cfg.recovery_codes.map((c) =>
      c.used_at ? mfaText.lookupSecretUsed(new Date(c.used_at)) : mfaText.lookupSecret("••••••••"),
    );
    const shown = lookupSection(ui, [
      codesNode(items),
      submit("lookup_secret", "lookup_secret_regenerate", mfaText.regenerateLookup()),
      submit("lookup_secret", "lookup_secret_disable", mfaText.disableLookup()),
    ]);
    await updateFlow(ctx.db, row.id, { ui: shown });
    return { kind: "show", ui: shown };
  }
  addMessage(ui, mfaText.generic("Did not receive any value changes."));
  return { kind: "rejected", ui };
}

/** Whether a submission would link a second factor (removing, revealing or a no-op would not). */
function addsFactor(identity: FullIdentity, method: MfaMethod, body: Record<string, unknown>): boolean {
  if (method === "totp") return !hasTotp(identity);
  return truthy(body.lookup_secret_regenerate) || truthy(body.lookup_secret_confirm);
}

/** method=totp | lookup_secret of a settings flow. */
export async function updateMfa(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  session: ActiveSession,
  body: Record<string, unknown>,
  ui: UiContainer,
  method: MfaMethod,
): Promise<MfaOutcome> {
  if (!isPrivileged(ctx, session.row)) return { kind: "reauth" };
  // Pre-hijacking: a second factor is only added to an account whose addresses are proven, so that a
  // registrant who does not own the address cannot lock its owner out (docs/security.md).
  const unverified = unverifiedAddresses(session.identity);
  if (unverified.length && addsFactor(session.identity, method, body)) {
    addMessage(ui, text.verifyAddressFirst(unverified));
    return { kind: "rejected", ui };
  }
  return method === "totp"
    ? updateTotp(c, ctx, row, session, body, ui)
    : updateLookup(c, ctx, row, session, body, ui);
}
