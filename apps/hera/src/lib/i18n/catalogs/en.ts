/**
 * Hera's English texts: the source every other language is checked against (a key missing in a
 * translation is a type error, and at run time it falls back to this text). ICU message syntax.
 */
export const en = {
  // Layout
  "layout.skip": "Skip to content",
  "layout.workforce": "Workforce",
  "layout.footer.iam": "For employees and operators. Access is monitored.",
  "layout.footer.ciam": "Your {brand} account",
  "layout.language": "Language",
  // Page titles
  "title.login": "Sign in",
  "title.registration": "Create your account",
  "title.recovery": "Reset your password",
  "title.verification": "Verify your email address",
  "title.settings": "Your account",
  "password.rules.title": "Your password",
  "password.rules.length": "At least {min} characters",
  "password.rules.guessable": "Not a common or easily guessed password",
  "password.strength.label": "Strength",
  "password.strength.0": "Very weak",
  "password.strength.1": "Weak",
  "password.strength.2": "Fair",
  "password.strength.3": "Good",
  "password.strength.4": "Strong",
  "title.consent": "Allow access",
  "title.logout": "Sign out",
  "title.error": "Something went wrong",
  // The plain form shown without JavaScript
  "form.continue": "Continue",
  // Home
  "home.verify": "Please verify your email address {address}.",
  "home.verify-now": "Verify now",
  "home.hello": "Hello, {name}",
  "home.signed-in-title": "You're signed in",
  "home.signed-in-to": "You're signed in to {brand}.",
  "home.email": "Email",
  "home.signed-in-at": "Signed in",
  "home.now": "now",
  "home.settings": "Account settings",
  "home.sign-out": "Sign out",
  // Registration, recovery, verification
  "registration.notice": "After you sign up we'll email you a code to verify your address.",
  "recovery.remembered": "Remembered it?",
  "recovery.back": "Back to sign in",
  "verification.sent":
    "Check your inbox: we sent you a 6-digit code and a link. Enter the code below, or open the link, to verify your email address. Both expire in one hour.",
  // Settings: sessions
  "sessions.title": "Active sessions",
  "sessions.intro": "Devices where you're signed in. Sign out of any you don't recognise.",
  "sessions.this-device": "This device",
  "sessions.unknown-browser": "Unknown browser",
  "sessions.signed-in": "Signed in",
  "sessions.signed-in-at": "Signed in {time}",
  "sessions.sign-out": "Sign out",
  "sessions.sign-out-label": "Sign out of the session on {device}",
  "sessions.sign-out-others": "Sign out of all other sessions",
  "sessions.none": "No other active sessions.",
  "sessions.password-changed-title": "Your password was changed",
  "sessions.password-changed-body":
    "You're still signed in on {count, plural, one {# other device or session} other {# other devices or sessions}}. If you changed your password because someone else might know it, sign them out now.",
  "sessions.sign-out-everywhere": "Sign out everywhere else",
  "settings.back": "Back to your account",
  "login.unverified-title": "Verify your email address first",
  "login.unverified-body":
    "Your account is waiting for you to confirm your email address. We'll send you a new code.",
  "login.unverified-resend": "Send me a verification code",
  "settings.recovered-title": "Set a new password now",
  "settings.recovered-body":
    "You signed in with a recovery code. Choose a new password below so that you can sign in with it next time.",
  "sessions.methods": "Signed in with {methods}",
  "method.password": "password",
  "method.totp": "authenticator app",
  "method.lookup_secret": "backup code",
  "method.code": "one-time code",
  "method.passkey": "passkey",
  "method.webauthn": "security key",
  "method.oidc": "{provider}",
  "settings.nav": "Sections",
  "settings.nav.account": "Profile and sign-in",
  "apps.title": "Connected apps",
  "apps.intro":
    "Apps you allowed to use your account. Removing one signs it out; it has to ask you again next time.",
  "apps.none": "You have not allowed any apps to use your account.",
  "apps.scopes": "Can see: {scopes}",
  "apps.granted": "Allowed {time}",
  "apps.revoke": "Remove access",
  "apps.revoke-label": "Remove access for {app}",
  // Settings: deleting the account, pending submissions
  "form.pending": "Please wait…",
  "sessions.pending": "Signing out…",
  "apps.pending": "Removing…",
  "logout.pending": "Signing out…",
  "title.delete": "Delete your account",
  "delete.title": "Delete account",
  "delete.intro": "Delete your account and everything in it. This cannot be undone.",
  "delete.start": "Delete my account…",
  "delete.confirm-title": "Delete your account?",
  "delete.confirm-body":
    "This deletes your account for good: your profile, your password and other ways to sign in, your sessions on every device, and the access you gave to apps. It cannot be undone.",
  "delete.confirm-body-who":
    "This deletes the account {who} for good: your profile, your password and other ways to sign in, your sessions on every device, and the access you gave to apps. It cannot be undone.",
  "delete.confirm-reauth": "If you signed in a while ago, you'll be asked to sign in again first.",
  "delete.confirm-check": "I understand that my account will be deleted and cannot be restored",
  "delete.confirm-button": "Delete my account",
  "delete.pending": "Deleting…",
  "delete.cancel": "Keep my account",
  "title.account-deleted": "Account deleted",
  "deleted.title": "Your account has been deleted",
  "deleted.body":
    "Your account and everything in it have been erased, and you've been signed out on every device. You can close this window.",
  "deleted.home": "Go to the start page",
  // Consent
  "consent.gone-title": "This request has expired",
  "consent.gone-none": "There is no pending request. Go back to the application and try again.",
  "consent.gone-expired": "Go back to the application and sign in again.",
  "consent.go-account": "Go to your account",
  "consent.unknown-client": "An application",
  "consent.title": "{client} wants to access your account",
  "consent.signed-in-as": "Signed in as {who}.",
  "consent.can": "It will be able to:",
  "consent.details": "It also asks for these specific permissions:",
  "consent.detail.actions": "Actions",
  "consent.detail.locations": "Locations",
  "consent.detail.datatypes": "Data types",
  "consent.detail.identifier": "Resource",
  "consent.detail.privileges": "Privileges",
  "consent.remember": "Remember my decision for {client}",
  "consent.allow": "Allow",
  "consent.deny": "Deny",
  "consent.privacy": "Privacy policy",
  "consent.tos": "Terms of service",
  "scope.openid.title": "Confirm who you are",
  "scope.openid.description": "Lets the application know it's you signing in.",
  "scope.email.title": "Your email address",
  "scope.email.description": "Your email address and whether it is verified.",
  "scope.profile.title": "Your profile",
  "scope.profile.description": "Your name as it appears on your account.",
  "scope.offline.title": "Stay signed in",
  "scope.offline.description": "Lets the application keep you signed in when you're not using it.",
  "scope.other.description": "Access to “{scope}”.",
  // Logout
  "logout.signed-out-title": "You're signed out",
  "logout.signed-out-body": "You can close this window, or sign in again.",
  "logout.sign-in": "Sign in",
  "logout.confirm-title": "Sign out of {brand}?",
  "logout.confirm-body": "You'll need to sign in again to use your account on this device.",
  "logout.sign-out": "Sign out",
  "logout.cancel": "Cancel",
  "logout.rp-title": "Sign out?",
  "logout.rp-body": "{client} asks to sign you out of {brand}. This ends your session on this device.",
  "logout.yes": "Yes, sign me out",
  "logout.no": "No, stay signed in",
  // Errors
  "device.title": "Connect a device",
  "device.open-address":
    "Open the address your device shows (or scan its code) to connect it to your account.",
  "device.check-code": "Check that this code is the one your device shows, then continue.",
  "device.enter-code": "Enter the code your device shows.",
  "device.code-label": "Device code",
  "device.invalid":
    "That code is not valid: it may have expired or been used already. Check your device and try again.",
  "device.done-title": "Device connected",
  "device.done-body": "Your device can now use your account. You can close this window and go back to it.",
  "device.denied-title": "Device not connected",
  "device.denied-body": "You did not allow the device to use your account. You can close this window.",
  "title.device-done": "Device",
  "title.not-found": "Page not found",
  "notfound.body": "There is no page at this address. It may have moved, or the link may be mistyped.",
  "notfound.home": "Go to your account",
  "error.back": "Back to sign in",
  "error.gone": "This error is no longer available. Please start again.",
  "error.nothing": "There is nothing to show here. Please start again.",
  "oauth2error.invalid_client":
    "The application that sent you here is not registered with us, or it identified itself wrongly. Trying again will not help: please tell the application’s owner.",
  "oauth2error.invalid_request":
    "The application sent an incomplete or malformed sign-in request. Go back to the application and start again; if it happens again, please tell its owner.",
  "oauth2error.unauthorized_client":
    "This application is not allowed to sign you in this way. Please tell the application’s owner.",
  "oauth2error.invalid_scope":
    "The application asked for access it is not allowed to request. Please tell the application’s owner.",
  "oauth2error.access_denied":
    "Access was not granted, so the application cannot continue. Go back to the application if you want to start again.",
  "oauth2error.login_required":
    "You need to sign in before the application can continue. Go back to the application and start again.",
  "oauth2error.server_error": "Something went wrong on our side. Please try again in a few minutes.",
  "oauth2error.temporarily_unavailable": "The service is busy right now. Please try again in a few minutes.",
  "oauth2error.other":
    "The sign-in request could not be completed. Go back to the application and start again.",
  "oauth2error.code": "Error code: {code}",
  "oauth2error.details": "Technical details",
  // Identity traits (the core labels fields with the schema's English titles)
  "trait.email": "Email",
  "trait.username": "Username",
  "trait.first_name": "First name",
  "trait.last_name": "Last name",
  "trait.phone": "Phone",
  "trait.locale": "Language",
  // Our wording for @ory/elements-react ids (`ory.` all domains, `ory-ciam.`/`ory-iam.` one), handed to
  // elements as they are but for {brand}, which Hera fills in; elements fills in {parts}.
  "ory.forms.label.forgot-password": "Forgot password?",
  "ory.forms.label.recover-account": "Forgot password?",
  // The core labels the login identifier "ID" when a schema has several identifiers (CIAM's
  // email, username, phone); say what people actually type.
  "ory.identities.messages.1070004": "Email or username",
  "ory.identities.messages.1050100":
    "Your password was changed. You are still signed in on {other_sessions, plural, one {# other session} other {# other sessions}}; sign out everywhere else if you did not start them all.",
  // The code method's buttons (Kratos: "Send sign in code", "Send sign up code"): what happens, plainly.
  "ory.identities.messages.1010015": "Email or text me a code",
  "ory.identities.messages.1040006": "Email me a code instead",
  "ory.identities.messages.4000110":
    "Please verify {addresses_list} before adding a second factor or another address to this account.",
  "ory.identities.messages.4060900":
    "This recovery link works only in the browser where you asked for it. Open it there, or enter the code from the email in that browser.",
  "ory.recovery.title": "Reset your password",
  "ory.recovery.subtitle": "Enter the email address of your account and we'll send you a one-time code.",
  "ory.verification.title": "Verify your email address",
  "ory.verification.subtitle": "Enter your email address and we'll send you a verification code.",
  "ory.settings.title": "Your account",
  "ory.settings.subtitle": "Update your profile and password",
  "ory.login.lookup_secret.subtitle": "Enter one of your backup codes (8 letters and digits).",
  "ory.two-step.lookup_secret.description":
    "Use one of your backup codes: 8 letters and digits, each works once.",
  "ory.settings.totp.description":
    "Add an authenticator app to your account: any app that shows time-based codes works.",
  "ory-iam.login.title": "Sign in to {brand}",
  "ory-iam.login.subtitle": "Employees and operators: sign in with {parts}",
  "ory-ciam.login.title": "Welcome back",
  "ory-ciam.login.subtitle": "Sign in with {parts}",
  "ory-ciam.login.registration-label": "New here?",
  "ory-ciam.login.registration-button": "Create an account",
  "ory-ciam.registration.title": "Create your account",
  "ory-ciam.registration.subtitle": "Sign up with {parts}",
  "ory-ciam.registration.login-label": "Already have an account?",
  "ory-ciam.registration.login-button": "Sign in",
} as const;

export type MessageId = keyof typeof en;
export type Catalog = Record<MessageId, string>;

/**
 * Overrides of @ory/elements-react's own translation for Kratos message ids, per language. Only
 * where elements' text is wrong for Olympus: elsewhere its translations are used as they are.
 */
export const enKratos: Record<string, string> = {
  "identities.messages.4000006": "The email address or password is incorrect. Check them and try again.",
};
