/** @hookrail/secrets — source and subscription secrets sealed at rest, with versioned keys. */
export { parseKeyring, secretKeysEnv } from "./keyring.js";
export { SecretBox, type SecretKey, SecretOpenError } from "./secret-box.js";
