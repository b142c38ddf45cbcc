import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from "node:crypto";

/*
 * A software WebAuthn authenticator for tests: a real P-256 key per credential, real CBOR attestation
 * objects ("none" attestation), real authenticator data and ECDSA signatures over it, exactly as a
 * browser hands them to the relying party (the JSON the core's webauthn.js posts). Tests can bend
 * every input a hostile client controls: origin, RP id, flags, counter, challenge, user handle.
 */

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor> | { [k: string]: Cbor };

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/** Minimal CBOR encoder (integers, byte and text strings, arrays, maps): what attestation needs. */
export function cbor(v: Cbor): Buffer {
  if (typeof v === "number") return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === "string") {
    const s = Buffer.from(v, "utf8");
    return Buffer.concat([head(3, s.length), s]);
  }
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), Buffer.from(v)]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cbor)]);
  const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, val]) => [cbor(k), cbor(val)])]);
}

const sha256 = (b: Uint8Array | string) => createHash("sha256").update(b).digest();
const b64url = (b: Uint8Array) => Buffer.from(b).toString("base64url");

export const FLAG_UP = 0x01;
export const FLAG_UV = 0x04;
export const FLAG_BE = 0x08;
export const FLAG_BS = 0x10;
export const FLAG_AT = 0x40;

export interface SoftCredential {
  id: Uint8Array;
  rpId: string;
  userHandle: Uint8Array;
  privateKey: KeyObject;
  counter: number;
}

export interface CeremonyTweaks {
  /** The page's origin in clientDataJSON (default: the authenticator's origin). */
  origin?: string;
  /** The RP id hashed into the authenticator data (default: the options' RP id). */
  rpId?: string;
  /** Authenticator flags (default: UP | UV). */
  flags?: number;
  /** clientDataJSON.type (default: webauthn.create / webauthn.get). */
  type?: string;
  /** Replace the challenge the client signs. */
  challenge?: string;
}

interface CreationOptionsJSON {
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  challenge: string;
}

interface RequestOptionsJSON {
  rpId?: string;
  challenge: string;
  allowCredentials?: { id: string }[];
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  readonly aaguid: Uint8Array;

  constructor(
    readonly origin: string,
    opts: { aaguid?: Uint8Array } = {},
  ) {
    this.aaguid = opts.aaguid ?? new Uint8Array(16);
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), "utf8");
  }

  /** navigator.credentials.create(): accepts `{ publicKey }` or the bare options; returns the JSON posted. */
  create(
    input: { publicKey: CreationOptionsJSON } | CreationOptionsJSON,
    tweaks: CeremonyTweaks = {},
  ): { json: string; credential: SoftCredential } {
    const opt = "publicKey" in input ? input.publicKey : input;
    const rpId = opt.rp.id ?? new URL(this.origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" }) as { x: string; y: string };
    const cose = cbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x, "base64url")],
        [-3, Buffer.from(jwk.y, "base64url")],
      ]),
    );
    const id = randomBytes(32);
    const credential: SoftCredential = {
      id,
      rpId,
      userHandle: Buffer.from(opt.user.id, "base64url"),
      privateKey,
      counter: 0,
    };
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(id.length);
    const counter = Buffer.alloc(4);
    const authData = Buffer.concat([
      sha256(tweaks.rpId ?? rpId),
      Buffer.from([(tweaks.flags ?? FLAG_UP | FLAG_UV) | FLAG_AT]),
      counter,
      Buffer.from(this.aaguid),
      idLen,
      id,
      cose,
    ]);
    const attestationObject = cbor({ fmt: "none", attStmt: {}, authData });
    const clientDataJSON = this.clientData(
      tweaks.type ?? "webauthn.create",
      tweaks.challenge ?? opt.challenge,
      tweaks.origin ?? this.origin,
    );
    this.credentials.push(credential);
    const json = JSON.stringify({
      id: b64url(id),
      rawId: b64url(id),
      type: "public-key",
      response: { attestationObject: b64url(attestationObject), clientDataJSON: b64url(clientDataJSON) },
      clientExtensionResults: {},
    });
    return { json, credential };
  }

  /**
   * navigator.credentials.get(): signs with `credential` (default: the first one the options allow,
   * else the first this authenticator holds). The counter goes up by one per assertion unless `counter`
   * says otherwise.
   */
  get(
    input: { publicKey: RequestOptionsJSON } | RequestOptionsJSON,
    tweaks: CeremonyTweaks & {
      credential?: SoftCredential;
      counter?: number;
      userHandle?: Uint8Array | null;
      /** Sign with another key (a forged assertion). */
      signWith?: KeyObject;
    } = {},
  ): string {
    const opt = "publicKey" in input ? input.publicKey : input;
    const allowed = opt.allowCredentials?.map((c) => c.id) ?? [];
    const cred =
      tweaks.credential ??
      this.credentials.find((c) => allowed.length === 0 || allowed.includes(b64url(c.id))) ??
      this.credentials[0];
    if (!cred) throw new Error("soft authenticator: no credential");
    cred.counter = tweaks.counter ?? cred.counter + 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(cred.counter);
    const authData = Buffer.concat([
      sha256(tweaks.rpId ?? opt.rpId ?? cred.rpId),
      Buffer.from([tweaks.flags ?? FLAG_UP | FLAG_UV]),
      counter,
    ]);
    const clientDataJSON = this.clientData(
      tweaks.type ?? "webauthn.get",
      tweaks.challenge ?? opt.challenge,
      tweaks.origin ?? this.origin,
    );
    const signature = sign(
      "sha256",
      Buffer.concat([authData, sha256(clientDataJSON)]),
      tweaks.signWith ?? cred.privateKey,
    );
    const userHandle = tweaks.userHandle === undefined ? cred.userHandle : tweaks.userHandle;
    return JSON.stringify({
      id: b64url(cred.id),
      rawId: b64url(cred.id),
      type: "public-key",
      response: {
        authenticatorData: b64url(authData),
        clientDataJSON: b64url(clientDataJSON),
        signature: b64url(signature),
        ...(userHandle ? { userHandle: b64url(userHandle) } : {}),
      },
      clientExtensionResults: {},
    });
  }

  /** A key pair the relying party never saw, for forged assertions. */
  static foreignKey(): KeyObject {
    return createPrivateKey(
      generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" }),
    );
  }
}
