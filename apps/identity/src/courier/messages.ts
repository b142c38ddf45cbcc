import type { EmailLocale } from "./locale.ts";

/** Every sentence of the core's emails, in one language. `brand` is the domain's brand name. */
export interface EmailMessages {
  verifySubject: (brand: string) => string;
  verifyHeading: string;
  verifyIntro: string;
  verifyLinkLabel: string;
  openLink: string;
  verifyUnknownSubject: (brand: string) => string;
  verifyUnknownHeading: string;
  verifyUnknownBody: string;
  recoverSubject: (brand: string) => string;
  recoverHeading: string;
  recoverIntro: string;
  recoverLinkIntro: string;
  recoverLinkLabel: string;
  recoverUnknownSubject: (brand: string) => string;
  recoverUnknownHeading: string;
  recoverUnknownBody: string;
  /** The `code` method: a sign-in code and a sign-up code, by email and by SMS. */
  loginCodeSubject: (brand: string) => string;
  loginCodeHeading: string;
  loginCodeIntro: string;
  registrationCodeSubject: (brand: string) => string;
  registrationCodeHeading: string;
  registrationCodeIntro: string;
  /** A whole text message: short, the code first so phones can offer to fill it in. */
  smsLoginCode: (brand: string, code: string, minutes: number) => string;
  smsRegistrationCode: (brand: string, code: string, minutes: number) => string;
  /** How long the code (and the link, when there is one) stays valid. */
  validity: (minutes: number, withLink: boolean) => string;
  ignore: string;
  /** Security notices (Olympus-only templates): something changed on the account. */
  passwordChangedSubject: (brand: string) => string;
  passwordChangedHeading: string;
  passwordChangedBody: (at: string) => string;
  factorAddedSubject: (brand: string) => string;
  factorAddedHeading: string;
  factorAddedBody: (factor: string, at: string) => string;
  factorRemovedSubject: (brand: string) => string;
  factorRemovedHeading: string;
  factorRemovedBody: (factor: string, at: string) => string;
  /** Names of the second factors, as the notices mention them. */
  factorNames: { totp: string; lookup_secret: string; webauthn: string };
  lockedSubject: (brand: string) => string;
  lockedHeading: string;
  lockedBody: (minutes: number) => string;
  /** The closing line of a security notice (instead of `ignore`). */
  notYou: string;
}

const en: EmailMessages = {
  verifySubject: (brand) => `${brand}: please verify your email address`,
  verifyHeading: "Verify your email address",
  verifyIntro: "Please verify your email address by entering the following code:",
  verifyLinkLabel: "Verify email address",
  openLink: "Or open this link:",
  verifyUnknownSubject: (brand) => `${brand}: someone tried to verify this email address`,
  verifyUnknownHeading: "Verification request",
  verifyUnknownBody:
    "Someone asked to verify this email address, but we were unable to find an account for this address.",
  recoverSubject: (brand) => `${brand}: recover access to your account`,
  recoverHeading: "Recover your account",
  recoverIntro: "Please recover access to your account by entering the following code:",
  recoverLinkIntro: "Or open this link in the browser where you asked for it:",
  recoverLinkLabel: "Recover account",
  recoverUnknownSubject: (brand) => `${brand}: account access attempted`,
  recoverUnknownHeading: "Account access attempted",
  recoverUnknownBody:
    "You (or someone else) entered this email address when trying to recover access to an account, but this email address is not known to us.",
  loginCodeSubject: (brand) => `${brand}: your sign-in code`,
  loginCodeHeading: "Sign in",
  loginCodeIntro: "Sign in to your account with the following code:",
  registrationCodeSubject: (brand) => `${brand}: your sign-up code`,
  registrationCodeHeading: "Complete your sign-up",
  registrationCodeIntro: "Complete your sign-up with the following code:",
  smsLoginCode: (brand, code, m) =>
    `${code} is your ${brand} sign-in code. It is valid for ${m} min. Do not share it.`,
  smsRegistrationCode: (brand, code, m) =>
    `${code} is your ${brand} sign-up code. It is valid for ${m} min. Do not share it.`,
  validity: (m, link) =>
    `${link ? "The code and the link are" : "The code is"} valid for ${m} minute${m === 1 ? "" : "s"}.`,
  ignore: "If you did not request this, you can ignore this email.",
  passwordChangedSubject: (brand) => `${brand}: your password was changed`,
  passwordChangedHeading: "Your password was changed",
  passwordChangedBody: (at) => `The password of your account was changed on ${at}.`,
  factorAddedSubject: (brand) => `${brand}: a second factor was added to your account`,
  factorAddedHeading: "Second factor added",
  factorAddedBody: (factor, at) => `${factor} was added to your account as a second factor on ${at}.`,
  factorRemovedSubject: (brand) => `${brand}: a second factor was removed from your account`,
  factorRemovedHeading: "Second factor removed",
  factorRemovedBody: (factor, at) => `${factor} was removed from your account on ${at}.`,
  factorNames: {
    totp: "An authenticator app",
    lookup_secret: "A set of backup codes",
    webauthn: "A security key",
  },
  lockedSubject: (brand) => `${brand}: sign-in to your account is locked`,
  lockedHeading: "Sign-in locked",
  lockedBody: (m) =>
    `After repeated failed sign-in attempts, signing in to your account is locked for ${m} minute${m === 1 ? "" : "s"}.`,
  notYou:
    "If this was not you, recover your account now with “Forgot password?” and sign out everywhere else.",
};

const de: EmailMessages = {
  verifySubject: (brand) => `${brand}: Bitte bestätigen Sie Ihre E-Mail-Adresse`,
  verifyHeading: "Bestätigen Sie Ihre E-Mail-Adresse",
  verifyIntro: "Bitte bestätigen Sie Ihre E-Mail-Adresse mit folgendem Code:",
  verifyLinkLabel: "E-Mail-Adresse bestätigen",
  openLink: "Oder öffnen Sie diesen Link:",
  verifyUnknownSubject: (brand) => `${brand}: Jemand wollte diese E-Mail-Adresse bestätigen`,
  verifyUnknownHeading: "Bestätigungsanfrage",
  verifyUnknownBody:
    "Jemand wollte diese E-Mail-Adresse bestätigen, aber wir haben kein Konto mit dieser Adresse gefunden.",
  recoverSubject: (brand) => `${brand}: Zugang zu Ihrem Konto wiederherstellen`,
  recoverHeading: "Konto wiederherstellen",
  recoverIntro: "Stellen Sie den Zugang zu Ihrem Konto mit folgendem Code wieder her:",
  recoverLinkIntro: "Oder öffnen Sie diesen Link in dem Browser, in dem Sie ihn angefordert haben:",
  recoverLinkLabel: "Konto wiederherstellen",
  recoverUnknownSubject: (brand) => `${brand}: Versuchter Kontozugriff`,
  recoverUnknownHeading: "Versuchter Kontozugriff",
  recoverUnknownBody:
    "Sie (oder jemand anderes) haben diese E-Mail-Adresse eingegeben, um den Zugang zu einem Konto wiederherzustellen, aber diese Adresse ist uns nicht bekannt.",
  loginCodeSubject: (brand) => `${brand}: Ihr Anmeldecode`,
  loginCodeHeading: "Anmelden",
  loginCodeIntro: "Melden Sie sich mit folgendem Code bei Ihrem Konto an:",
  registrationCodeSubject: (brand) => `${brand}: Ihr Registrierungscode`,
  registrationCodeHeading: "Registrierung abschließen",
  registrationCodeIntro: "Schließen Sie Ihre Registrierung mit folgendem Code ab:",
  smsLoginCode: (brand, code, m) =>
    `${code} ist Ihr ${brand}-Anmeldecode. Er ist ${m} Min. gültig. Geben Sie ihn nicht weiter.`,
  smsRegistrationCode: (brand, code, m) =>
    `${code} ist Ihr ${brand}-Registrierungscode. Er ist ${m} Min. gültig. Geben Sie ihn nicht weiter.`,
  validity: (m, link) =>
    `${link ? "Der Code und der Link sind" : "Der Code ist"} ${m} ${m === 1 ? "Minute" : "Minuten"} lang gültig.`,
  ignore: "Wenn Sie das nicht angefordert haben, können Sie diese E-Mail ignorieren.",
  passwordChangedSubject: (brand) => `${brand}: Ihr Passwort wurde geändert`,
  passwordChangedHeading: "Ihr Passwort wurde geändert",
  passwordChangedBody: (at) => `Das Passwort Ihres Kontos wurde am ${at} geändert.`,
  factorAddedSubject: (brand) => `${brand}: Ein zweiter Faktor wurde zu Ihrem Konto hinzugefügt`,
  factorAddedHeading: "Zweiter Faktor hinzugefügt",
  factorAddedBody: (factor, at) => `${factor} wurde am ${at} als zweiter Faktor zu Ihrem Konto hinzugefügt.`,
  factorRemovedSubject: (brand) => `${brand}: Ein zweiter Faktor wurde von Ihrem Konto entfernt`,
  factorRemovedHeading: "Zweiter Faktor entfernt",
  factorRemovedBody: (factor, at) => `${factor} wurde am ${at} von Ihrem Konto entfernt.`,
  factorNames: {
    totp: "Eine Authenticator-App",
    lookup_secret: "Ein Satz Backup-Codes",
    webauthn: "Ein Sicherheitsschlüssel",
  },
  lockedSubject: (brand) => `${brand}: Die Anmeldung bei Ihrem Konto ist gesperrt`,
  lockedHeading: "Anmeldung gesperrt",
  lockedBody: (m) =>
    `Nach wiederholten fehlgeschlagenen Anmeldeversuchen ist die Anmeldung bei Ihrem Konto für ${m} ${m === 1 ? "Minute" : "Minuten"} gesperrt.`,
  notYou:
    "Wenn Sie das nicht waren, stellen Sie Ihr Konto jetzt über „Passwort vergessen?“ wieder her und melden Sie sich überall sonst ab.",
};

const fr: EmailMessages = {
  verifySubject: (brand) => `${brand} : veuillez confirmer votre adresse e-mail`,
  verifyHeading: "Confirmez votre adresse e-mail",
  verifyIntro: "Veuillez confirmer votre adresse e-mail en saisissant le code suivant :",
  verifyLinkLabel: "Confirmer l’adresse e-mail",
  openLink: "Ou ouvrez ce lien :",
  verifyUnknownSubject: (brand) => `${brand} : quelqu’un a tenté de confirmer cette adresse e-mail`,
  verifyUnknownHeading: "Demande de confirmation",
  verifyUnknownBody:
    "Quelqu’un a demandé à confirmer cette adresse e-mail, mais nous n’avons trouvé aucun compte associé à cette adresse.",
  recoverSubject: (brand) => `${brand} : récupérez l’accès à votre compte`,
  recoverHeading: "Récupérez votre compte",
  recoverIntro: "Récupérez l’accès à votre compte en saisissant le code suivant :",
  recoverLinkIntro: "Ou ouvrez ce lien dans le navigateur où vous l’avez demandé :",
  recoverLinkLabel: "Récupérer le compte",
  recoverUnknownSubject: (brand) => `${brand} : tentative d’accès à un compte`,
  recoverUnknownHeading: "Tentative d’accès à un compte",
  recoverUnknownBody:
    "Vous (ou quelqu’un d’autre) avez saisi cette adresse e-mail pour récupérer l’accès à un compte, mais cette adresse nous est inconnue.",
  loginCodeSubject: (brand) => `${brand} : votre code de connexion`,
  loginCodeHeading: "Connexion",
  loginCodeIntro: "Connectez-vous à votre compte avec le code suivant :",
  registrationCodeSubject: (brand) => `${brand} : votre code d’inscription`,
  registrationCodeHeading: "Terminez votre inscription",
  registrationCodeIntro: "Terminez votre inscription avec le code suivant :",
  smsLoginCode: (brand, code, m) =>
    `${code} est votre code de connexion ${brand}. Valable ${m} min. Ne le partagez pas.`,
  smsRegistrationCode: (brand, code, m) =>
    `${code} est votre code d’inscription ${brand}. Valable ${m} min. Ne le partagez pas.`,
  validity: (m, link) =>
    `${link ? "Le code et le lien sont valables" : "Le code est valable"} ${m} minute${m === 1 ? "" : "s"}.`,
  ignore: "Si vous n’êtes pas à l’origine de cette demande, vous pouvez ignorer cet e-mail.",
  passwordChangedSubject: (brand) => `${brand} : votre mot de passe a été modifié`,
  passwordChangedHeading: "Votre mot de passe a été modifié",
  passwordChangedBody: (at) => `Le mot de passe de votre compte a été modifié le ${at}.`,
  factorAddedSubject: (brand) => `${brand} : un second facteur a été ajouté à votre compte`,
  factorAddedHeading: "Second facteur ajouté",
  factorAddedBody: (factor, at) => `${factor} a été ajouté à votre compte comme second facteur le ${at}.`,
  factorRemovedSubject: (brand) => `${brand} : un second facteur a été retiré de votre compte`,
  factorRemovedHeading: "Second facteur retiré",
  factorRemovedBody: (factor, at) => `${factor} a été retiré de votre compte le ${at}.`,
  factorNames: {
    totp: "Une application d’authentification",
    lookup_secret: "Un jeu de codes de secours",
    webauthn: "Une clé de sécurité",
  },
  lockedSubject: (brand) => `${brand} : la connexion à votre compte est bloquée`,
  lockedHeading: "Connexion bloquée",
  lockedBody: (m) =>
    `Après plusieurs tentatives de connexion échouées, la connexion à votre compte est bloquée pendant ${m} minute${m === 1 ? "" : "s"}.`,
  notYou:
    "Si ce n’était pas vous, récupérez votre compte dès maintenant avec « Mot de passe oublié ? » et déconnectez-vous partout ailleurs.",
};

const es: EmailMessages = {
  verifySubject: (brand) => `${brand}: verifica tu dirección de correo electrónico`,
  verifyHeading: "Verifica tu dirección de correo electrónico",
  verifyIntro: "Verifica tu dirección de correo electrónico introduciendo el siguiente código:",
  verifyLinkLabel: "Verificar dirección de correo",
  openLink: "O abre este enlace:",
  verifyUnknownSubject: (brand) => `${brand}: alguien intentó verificar esta dirección de correo`,
  verifyUnknownHeading: "Solicitud de verificación",
  verifyUnknownBody:
    "Alguien pidió verificar esta dirección de correo electrónico, pero no encontramos ninguna cuenta con esta dirección.",
  recoverSubject: (brand) => `${brand}: recupera el acceso a tu cuenta`,
  recoverHeading: "Recupera tu cuenta",
  recoverIntro: "Recupera el acceso a tu cuenta introduciendo el siguiente código:",
  recoverLinkIntro: "O abre este enlace en el navegador donde lo solicitaste:",
  recoverLinkLabel: "Recuperar cuenta",
  recoverUnknownSubject: (brand) => `${brand}: intento de acceso a una cuenta`,
  recoverUnknownHeading: "Intento de acceso a una cuenta",
  recoverUnknownBody:
    "Tú (u otra persona) introdujiste esta dirección de correo electrónico para recuperar el acceso a una cuenta, pero no la conocemos.",
  loginCodeSubject: (brand) => `${brand}: tu código de inicio de sesión`,
  loginCodeHeading: "Iniciar sesión",
  loginCodeIntro: "Inicia sesión en tu cuenta con el siguiente código:",
  registrationCodeSubject: (brand) => `${brand}: tu código de registro`,
  registrationCodeHeading: "Completa tu registro",
  registrationCodeIntro: "Completa tu registro con el siguiente código:",
  smsLoginCode: (brand, code, m) =>
    `${code} es tu código de inicio de sesión de ${brand}. Válido durante ${m} min. No lo compartas.`,
  smsRegistrationCode: (brand, code, m) =>
    `${code} es tu código de registro de ${brand}. Válido durante ${m} min. No lo compartas.`,
  validity: (m, link) =>
    `${link ? "El código y el enlace son válidos" : "El código es válido"} durante ${m} minuto${m === 1 ? "" : "s"}.`,
  ignore: "Si no lo solicitaste, puedes ignorar este correo.",
  passwordChangedSubject: (brand) => `${brand}: tu contraseña ha cambiado`,
  passwordChangedHeading: "Tu contraseña ha cambiado",
  passwordChangedBody: (at) => `La contraseña de tu cuenta se cambió el ${at}.`,
  factorAddedSubject: (brand) => `${brand}: se añadió un segundo factor a tu cuenta`,
  factorAddedHeading: "Segundo factor añadido",
  factorAddedBody: (factor, at) => `${factor} se añadió a tu cuenta como segundo factor el ${at}.`,
  factorRemovedSubject: (brand) => `${brand}: se quitó un segundo factor de tu cuenta`,
  factorRemovedHeading: "Segundo factor quitado",
  factorRemovedBody: (factor, at) => `${factor} se quitó de tu cuenta el ${at}.`,
  factorNames: {
    totp: "Una aplicación de autenticación",
    lookup_secret: "Un juego de códigos de respaldo",
    webauthn: "Una llave de seguridad",
  },
  lockedSubject: (brand) => `${brand}: el inicio de sesión en tu cuenta está bloqueado`,
  lockedHeading: "Inicio de sesión bloqueado",
  lockedBody: (m) =>
    `Tras varios intentos fallidos, el inicio de sesión en tu cuenta está bloqueado durante ${m} minuto${m === 1 ? "" : "s"}.`,
  notYou:
    "Si no fuiste tú, recupera tu cuenta ahora con «¿Olvidaste tu contraseña?» y cierra la sesión en todos los demás sitios.",
};

const ptBR: EmailMessages = {
  verifySubject: (brand) => `${brand}: confirme seu endereço de e-mail`,
  verifyHeading: "Confirme seu endereço de e-mail",
  verifyIntro: "Confirme seu endereço de e-mail digitando o seguinte código:",
  verifyLinkLabel: "Confirmar endereço de e-mail",
  openLink: "Ou abra este link:",
  verifyUnknownSubject: (brand) => `${brand}: alguém tentou confirmar este endereço de e-mail`,
  verifyUnknownHeading: "Solicitação de confirmação",
  verifyUnknownBody:
    "Alguém pediu para confirmar este endereço de e-mail, mas não encontramos nenhuma conta com este endereço.",
  recoverSubject: (brand) => `${brand}: recupere o acesso à sua conta`,
  recoverHeading: "Recupere sua conta",
  recoverIntro: "Recupere o acesso à sua conta digitando o seguinte código:",
  recoverLinkIntro: "Ou abra este link no navegador em que você o solicitou:",
  recoverLinkLabel: "Recuperar conta",
  recoverUnknownSubject: (brand) => `${brand}: tentativa de acesso a uma conta`,
  recoverUnknownHeading: "Tentativa de acesso a uma conta",
  recoverUnknownBody:
    "Você (ou outra pessoa) digitou este endereço de e-mail para recuperar o acesso a uma conta, mas não conhecemos este endereço.",
  loginCodeSubject: (brand) => `${brand}: seu código de acesso`,
  loginCodeHeading: "Entrar",
  loginCodeIntro: "Entre na sua conta com o seguinte código:",
  registrationCodeSubject: (brand) => `${brand}: seu código de cadastro`,
  registrationCodeHeading: "Conclua seu cadastro",
  registrationCodeIntro: "Conclua seu cadastro com o seguinte código:",
  smsLoginCode: (brand, code, m) =>
    `${code} é seu código de acesso ${brand}. Válido por ${m} min. Não o compartilhe.`,
  smsRegistrationCode: (brand, code, m) =>
    `${code} é seu código de cadastro ${brand}. Válido por ${m} min. Não o compartilhe.`,
  validity: (m, link) =>
    `${link ? "O código e o link são válidos" : "O código é válido"} por ${m} minuto${m === 1 ? "" : "s"}.`,
  ignore: "Se você não fez esta solicitação, pode ignorar este e-mail.",
  passwordChangedSubject: (brand) => `${brand}: sua senha foi alterada`,
  passwordChangedHeading: "Sua senha foi alterada",
  passwordChangedBody: (at) => `A senha da sua conta foi alterada em ${at}.`,
  factorAddedSubject: (brand) => `${brand}: um segundo fator foi adicionado à sua conta`,
  factorAddedHeading: "Segundo fator adicionado",
  factorAddedBody: (factor, at) => `${factor} foi adicionado à sua conta como segundo fator em ${at}.`,
  factorRemovedSubject: (brand) => `${brand}: um segundo fator foi removido da sua conta`,
  factorRemovedHeading: "Segundo fator removido",
  factorRemovedBody: (factor, at) => `${factor} foi removido da sua conta em ${at}.`,
  factorNames: {
    totp: "Um aplicativo autenticador",
    lookup_secret: "Um conjunto de códigos de backup",
    webauthn: "Uma chave de segurança",
  },
  lockedSubject: (brand) => `${brand}: o acesso à sua conta está bloqueado`,
  lockedHeading: "Acesso bloqueado",
  lockedBody: (m) =>
    `Após várias tentativas de acesso malsucedidas, o acesso à sua conta está bloqueado por ${m} minuto${m === 1 ? "" : "s"}.`,
  notYou:
    "Se não foi você, recupere sua conta agora com “Esqueceu a senha?” e saia de todos os outros lugares.",
};

/** The email texts by language. */
export const emailMessages: Record<EmailLocale, EmailMessages> = { en, de, fr, es, "pt-BR": ptBR };
