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
  /** How long the code (and the link, when there is one) stays valid. */
  validity: (minutes: number, withLink: boolean) => string;
  ignore: string;
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
  validity: (m, link) =>
    `${link ? "The code and the link are" : "The code is"} valid for ${m} minute${m === 1 ? "" : "s"}.`,
  ignore: "If you did not request this, you can ignore this email.",
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
  validity: (m, link) =>
    `${link ? "Der Code und der Link sind" : "Der Code ist"} ${m} ${m === 1 ? "Minute" : "Minuten"} lang gültig.`,
  ignore: "Wenn Sie das nicht angefordert haben, können Sie diese E-Mail ignorieren.",
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
  validity: (m, link) =>
    `${link ? "Le code et le lien sont valables" : "Le code est valable"} ${m} minute${m === 1 ? "" : "s"}.`,
  ignore: "Si vous n’êtes pas à l’origine de cette demande, vous pouvez ignorer cet e-mail.",
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
  validity: (m, link) =>
    `${link ? "El código y el enlace son válidos" : "El código es válido"} durante ${m} minuto${m === 1 ? "" : "s"}.`,
  ignore: "Si no lo solicitaste, puedes ignorar este correo.",
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
  validity: (m, link) =>
    `${link ? "O código e o link são válidos" : "O código é válido"} por ${m} minuto${m === 1 ? "" : "s"}.`,
  ignore: "Se você não fez esta solicitação, pode ignorar este e-mail.",
};

/** The email texts by language. */
export const emailMessages: Record<EmailLocale, EmailMessages> = { en, de, fr, es, "pt-BR": ptBR };
