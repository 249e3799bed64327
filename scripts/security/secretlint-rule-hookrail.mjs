// A secretlint rule for Hookrail's own credential formats, which the recommended preset does not
// know: admin API keys (`hr_` + 32 random bytes, base64url), signing secrets (`whsec_` + base64 of
// 24-64 bytes, Standard Webhooks) and SECRETS_ENCRYPTION_KEYS entries (`v<n>:` + a base64 32-byte
// AES key). Used by `pnpm security:secrets` through scripts/security/secretlintrc.yaml; a fixture
// that must stay is listed in that file's `allows`, with the reason beside it.

const PATTERNS = [
  {
    id: "HOOKRAIL_API_KEY",
    what: "Hookrail API key",
    pattern: /(?<![A-Za-z0-9_-])hr_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g,
  },
  {
    id: "WEBHOOK_SIGNING_SECRET",
    what: "webhook signing secret (whsec_)",
    pattern: /(?<![A-Za-z0-9_])whsec_[A-Za-z0-9+/]{32,88}={0,2}(?![A-Za-z0-9+/=])/g,
  },
  {
    id: "SECRETS_ENCRYPTION_KEY",
    what: "secrets encryption key (v<n>:<base64 32 bytes>)",
    pattern: /(?<![A-Za-z0-9])v[0-9]{1,4}:[A-Za-z0-9+/]{43}=(?![A-Za-z0-9+/=])/g,
  },
];

const messages = Object.fromEntries(
  PATTERNS.map(({ id, what }) => [id, { en: (props) => `found a ${what}: ${props.KEY}` }]),
);

/** The rule, in secretlint's creator format. */
export const creator = {
  messages,
  meta: {
    id: "hookrail/secretlint-rule-hookrail",
    recommended: true,
    type: "scanner",
    supportedContentTypes: ["text"],
    docs: { url: "https://github.com/hookrail/hookrail/blob/main/docs/security.md" },
  },
  create(context, options) {
    const t = context.createTranslator(messages);
    const allows = new Set(options.allows ?? []);
    return {
      file(source) {
        for (const { id, pattern } of PATTERNS) {
          for (const match of source.content.matchAll(pattern)) {
            if (allows.has(match[0])) continue;
            const start = match.index ?? 0;
            context.report({
              message: t(id, { KEY: match[0] }),
              range: [start, start + match[0].length],
            });
          }
        }
      },
    };
  },
};

export default creator;
