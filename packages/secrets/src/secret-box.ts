import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from "node:crypto";

/** One encryption key with its version; the version is stored with every sealed value. */
export interface SecretKey {
  version: string;
  key: Buffer;
}

const PREFIX = "enc";

/** A sealed value could not be opened: unknown key version, wrong key, or tampered bytes. */
export class SecretOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SecretOpenError";
  }
}

/**
 * Seals source and subscription secrets at rest with AES-256-GCM: `enc:<version>:<iv>:<sealed>`.
 * The first key seals; every key opens, so keys rotate by putting a new one first and keeping
 * the old ones until nothing sealed with them remains. With no key, values are kept as given
 * (development only; the services warn at start).
 */
export class SecretBox {
  // KeyObjects, made once: given a Buffer, Node 24's cipher first asks whether it is a KeyObject
  // or a CryptoKey, each "no" a caught TypeError with a stack trace, which made opening a secret
  // (once per delivery in the notifier) cost four times the AES-GCM itself.
  private readonly byVersion: Map<string, KeyObject>;
  private readonly sealing: { version: string; key: KeyObject } | undefined;

  constructor(private readonly keys: readonly SecretKey[]) {
    this.byVersion = new Map(keys.map((k) => [k.version, createSecretKey(k.key)]));
    const first = keys[0];
    this.sealing = first && { version: first.version, key: createSecretKey(first.key) };
  }

  get encrypting(): boolean {
    return this.keys.length > 0;
  }

  seal(plain: string): string {
    const current = this.sealing;
    if (!current) return plain;
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", current.key, iv);
    // The version is authenticated too: a value cannot be moved to another key's slot.
    cipher.setAAD(Buffer.from(current.version));
    const sealed = Buffer.concat([
      cipher.update(plain, "utf8"),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `${PREFIX}:${current.version}:${iv.toString("base64url")}:${sealed.toString("base64url")}`;
  }

  open(value: string): string {
    if (!value.startsWith(`${PREFIX}:`)) return value;
    const [, version, iv, sealed] = value.split(":");
    const key = version ? this.byVersion.get(version) : undefined;
    if (!key || !iv || !sealed)
      throw new SecretOpenError(
        `no key of version ${JSON.stringify(version)} to open a stored secret`,
      );
    const bytes = Buffer.from(sealed, "base64url");
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(version as string));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([
        decipher.update(bytes.subarray(0, bytes.length - 16)),
        decipher.final(),
      ]).toString("utf8");
    } catch (error) {
      throw new SecretOpenError(
        `a stored secret sealed with key ${version} does not open (wrong key or altered)`,
        { cause: error },
      );
    }
  }
}
