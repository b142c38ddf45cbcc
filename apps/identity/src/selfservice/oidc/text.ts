import type { UiText } from "../flow/text.ts";

/** Social sign-in messages, by Kratos message id (Olympus-only ids are 4000120+). */
export const oidcText = {
  signInWith: (provider: string, providerId: string): UiText => ({
    id: 1010002,
    text: `Sign in with ${provider}`,
    type: "info",
    context: { provider, provider_id: providerId },
  }),
  signUpWith: (provider: string, providerId: string): UiText => ({
    id: 1040002,
    text: `Sign up with ${provider}`,
    type: "info",
    context: { provider, provider_id: providerId },
  }),
  link: (provider: string, providerId: string): UiText => ({
    id: 1050002,
    text: `Link ${provider}`,
    type: "info",
    context: { provider, provider_id: providerId },
  }),
  unlink: (provider: string, providerId: string): UiText => ({
    id: 1050003,
    text: `Unlink ${provider}`,
    type: "info",
    context: { provider, provider_id: providerId },
  }),
  /** Kratos' account-linking prompt: the address is another account's; sign in there to link. */
  linkExisting: (identifier: string, provider: string, providerId: string): UiText => ({
    id: 1010016,
    text: `You tried to sign in with "${identifier}", but that email is already used by another account. Sign in to your account with one of the options below to add your account "${identifier}" at "${provider}" as another way to sign in.`,
    type: "info",
    context: {
      duplicateIdentifier: identifier,
      duplicate_identifier: identifier,
      provider,
      provider_id: providerId,
    },
  }),
  /** Shown with the registration form when the provider's profile lacks what the schema requires. */
  completeProfile: (provider: string): UiText => ({
    id: 4000121,
    text: `Please complete your profile to finish signing up with ${provider}.`,
    type: "info",
    context: { provider },
  }),
  failed: (provider: string, kind: string, reason: string): UiText => ({
    id: 4000120,
    text: `Sign-in with ${provider} failed: ${reason}`,
    type: "error",
    context: { provider, reason, error_kind: kind },
  }),
  unknownProvider: (id: string): UiText => ({
    id: 4000001,
    text: `The social sign-in provider "${id}" is not configured.`,
    type: "error",
    context: { reason: `The social sign-in provider "${id}" is not configured.` },
  }),
  needsBrowser: (): UiText => ({
    id: 4000001,
    text: "Social sign-in needs a browser flow.",
    type: "error",
    context: { reason: "Social sign-in needs a browser flow." },
  }),
  alreadyLinked: (provider: string): UiText => ({
    id: 4000007,
    text: `This ${provider} account is already linked to another account.`,
    type: "error",
    context: { provider },
  }),
  lastWayIn: (provider: string): UiText => ({
    id: 4000122,
    text: `${provider} can not be unlinked: it is the only way left to sign in to this account. Set a password or link another provider first.`,
    type: "error",
    context: { provider },
  }),
  notLinked: (provider: string): UiText => ({
    id: 4000123,
    text: `No ${provider} account is linked to this account.`,
    type: "error",
    context: { provider },
  }),
  noAccount: (provider: string): UiText => ({
    id: 4000124,
    text: `No account is linked to this ${provider} account, and sign-up is closed.`,
    type: "error",
    context: { provider },
  }),
};
