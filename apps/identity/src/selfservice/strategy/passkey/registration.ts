import { str } from "../../flow/common.ts";
import { text } from "../../flow/text.ts";
import {
  coerceTraits,
  enforceReadOnly,
  readOnlyErrorsToUi,
  schemaErrorsToUi,
  traitNodes,
} from "../../flow/traits.ts";
import { addMessage, inputNode, type UiContainer } from "../../flow/ui.ts";
import { captchaGuard } from "../../guards/index.ts";
import { amrFor } from "../../webauthn/amr.ts";
import { ceremonyKey, finishRegistration, registrationOptions } from "../../webauthn/ceremony.ts";
import { newUserHandle, userHandleIdentifier } from "../../webauthn/credentials.ts";
import { passkeyRegistrationNodes, replaceGroup, webauthnText } from "../../webauthn/nodes.ts";
import { displayNameField, failureMessage, filled, keyNameFor } from "../../webauthn/strategy-kit.ts";
import type { RegistrationFlow, RegistrationOutcome, RegistrationStrategy, StrategyEnv } from "../types.ts";

/**
 * Sign-up with a passkey instead of a password (Kratos' `passkey` registration), in two steps:
 * `method=passkey` with the traits validates them, keeps them on the flow and shows the ceremony
 * (`passkey_create_data` with discoverable creation options, user verification required, and the
 * `passkey_register_trigger` that runs the script); the script then posts the new credential in
 * `passkey_register`. The identity is created from the traits of the first step — what is posted with
 * the credential cannot change them — together with its passkey, in one transaction (by the flow).
 * The challenge lives in the flow's data and is used up by the first answer, good or bad.
 */

const PASSKEY = "passkey" as const;

interface PasskeyRegistrationData {
  passkey_traits?: Record<string, unknown>;
  /** Kratos' `active` while the ceremony is shown: UIs then show the passkey step, not the first one. */
  active?: string;
  [key: string]: unknown;
}

/** The first step's button beside the traits: "Sign up with passkey". */
const startNode = () =>
  inputNode(PASSKEY, "method", "submit", { value: PASSKEY, label: webauthnText.registerPasskey() });

/** The ceremony for `traits`: a new user handle, its options as nodes, its state in the flow's data. */
function ceremony(env: Pick<StrategyEnv, "ctx">, flow: RegistrationFlow, traits: Record<string, unknown>) {
  const schema = env.ctx.schemas.default;
  const name = keyNameFor(undefined, traits, "Passkey");
  const { options, state } = registrationOptions(env.ctx, PASSKEY, {
    userHandle: newUserHandle(),
    userName: name,
    exclude: [],
    discoverable: true,
  });
  flow.data[ceremonyKey(PASSKEY)] = state;
  return passkeyRegistrationNodes(env.ctx, options, displayNameField(schema));
}

/** The second step's form: the traits (kept, hidden) and the ceremony. */
function ceremonyUi(env: Pick<StrategyEnv, "ctx">, flow: RegistrationFlow, traits: Record<string, unknown>) {
  const schema = env.ctx.schemas.default;
  const base: UiContainer = {
    ...flow.ui,
    nodes: [
      ...flow.ui.nodes.filter((n) => n.attributes.name === "csrf_token"),
      ...traitNodes(schema, "default", traits, { hidden: true, readOnly: "omit" }),
    ],
  };
  return replaceGroup(base, PASSKEY, ceremony(env, flow, traits));
}

export const passkeyRegistration: RegistrationStrategy = {
  id: PASSKEY,
  group: PASSKEY,
  claims: (body) => filled(body, "passkey_register"),

  nodes() {
    return [startNode()];
  },

  async submit(flow, body, env): Promise<RegistrationOutcome> {
    const { ctx } = env;
    const data = flow.data as PasskeyRegistrationData;
    const answer = str(body, "passkey_register") ?? "";
    if (answer) {
      const traits = data.passkey_traits;
      if (!traits) {
        return {
          type: "failed",
          messages: [text.validationGeneric("Enter your details and start the passkey sign-up first.")],
        };
      }
      const res = await finishRegistration(ctx, flow, PASSKEY, answer, {
        displayName: keyNameFor(undefined, traits, "Passkey"),
        passwordless: true,
      });
      if (!res.ok) {
        // The challenge is used up: show the ceremony again with a fresh one.
        flow.ui = ceremonyUi(env, flow, traits);
        return { type: "failed", messages: [failureMessage(res.failure)] };
      }
      delete data.passkey_traits;
      delete data.active;
      return {
        type: "register",
        traits,
        credentials: [
          {
            type: PASSKEY,
            config: { user_handle: res.userHandle, credentials: [res.key] },
            identifiers: [userHandleIdentifier(res.userHandle)],
          },
        ],
        method: {
          method: PASSKEY,
          aal: "aal1",
          amr: amrFor(PASSKEY, {
            userVerified: res.key.flags?.user_verified ?? false,
            backedUp: res.key.flags?.backup_state ?? false,
          }),
        },
      };
    }

    // First step: the traits.
    const schema = ctx.schemas.default;
    flow.ui = { ...flow.ui, nodes: [...flow.ui.nodes.filter((n) => n.group !== PASSKEY), startNode()] };
    const { traits, violations } = enforceReadOnly(schema, coerceTraits(schema, body.traits), undefined);
    if (violations.length) {
      readOnlyErrorsToUi(flow.ui, violations);
      return { type: "rerender", status: 400 };
    }
    const errors = ctx.schemas.validate(schema, traits);
    if (errors.length) {
      schemaErrorsToUi(flow.ui, errors);
      return { type: "rerender", status: 400 };
    }
    const captcha = await captchaGuard(env, "registration", body);
    if (captcha) {
      addMessage(flow.ui, captcha);
      return { type: "rerender", status: 400 };
    }
    data.passkey_traits = traits;
    data.active = PASSKEY;
    flow.ui = ceremonyUi(env, flow, traits);
    // A next step, not a success: Kratos answers such a form with 400 and the flow (a 200 would tell
    // @ory/elements-react the sign-up is done), and `active` names the step.
    return { type: "rerender", status: 400 };
  },
};
