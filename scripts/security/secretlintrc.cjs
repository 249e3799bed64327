// secretlint's configuration for `pnpm security:secrets`: the recommended preset (cloud keys,
// tokens, private keys, credentials in URLs …) plus a rule for Hookrail's own credential formats.
const { join } = require("node:path");

module.exports = {
  rules: [
    { id: "@secretlint/secretlint-rule-preset-recommend" },
    {
      // An absolute path: secretlint resolves a relative id as a package name.
      id: join(__dirname, "secretlint-rule-hookrail.mjs"),
      options: {
        // Test fixtures that are keys by shape only, each decided on its own and listed exactly
        // (never a pattern), so a new key-shaped string is still reported.
        allows: [
          // The example secret of the Standard Webhooks specification, published in its test
          // vectors; packages/signatures and packages/delivery tests check against it.
          "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          // The second secret of the rotation tests in packages/signatures; made up for them.
          "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
          // base64 of "the new secret of 32 bytes!!", the rotated secret in delivery's tests.
          "whsec_dGhlIG5ldyBzZWNyZXQgb2YgMzIgYnl0ZXMhIQ==",
        ],
      },
    },
  ],
};
