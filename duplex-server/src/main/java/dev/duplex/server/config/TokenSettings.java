package dev.duplex.server.config;

import dev.duplex.hub.auth.TokenVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds the hub's {@link TokenVerifier} from the {@code tokens.*} keys: the HMAC secret (never the
 * documentation's example) and the public keys, inline PEM or {@code file:} paths resolved against
 * the configuration file's directory.
 */
final class TokenSettings {
    /** The end of the errors that need token keys: a rule allows no one without them. */
    static final String NO_KEYS = "no token keys are configured (tokens.hmac_secret or tokens.public_keys)";

    private final ConfigValues values;
    private final ConfigProblems problems;

    TokenSettings(ConfigValues values, ConfigProblems problems) {
        this.values = values;
        this.problems = problems;
    }

    /** The verifier; null when no key is configured or any of them is unusable (then with errors). */
    TokenVerifier verifier() {
        String secret = values.string("tokens.hmac_secret");
        List<String> keys = values.list("tokens.public_keys");
        if (secret == null && keys.isEmpty()) {
            return null;
        }
        TokenVerifier.Builder b = TokenVerifier.builder().requireExpiry(values.bool("tokens.require_expiry"))
                .audience(values.string("tokens.audience")).issuer(values.string("tokens.issuer"));
        int before = problems.errorCount();
        if (secret != null) {
            try {
                if (ConfigLoader.DOCUMENTED_SECRETS.contains(secret)) {
                    throw new IllegalArgumentException("this is the documentation's example secret; anyone could sign "
                            + "tokens with it: choose your own, for example with: openssl rand -hex 32");
                }
                b.hmacSecret(secret);
            } catch (IllegalArgumentException e) {
                problems.invalid("tokens.hmac_secret", values.source("tokens.hmac_secret"), e.getMessage());
            }
        }
        Source keysSource = values.source("tokens.public_keys");
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            String label = "tokens.public_keys[" + (i + 1) + "]";
            String pem = key;
            if (key.startsWith("file:")) {
                Path path = values.resolve(key.substring("file:".length()).strip(), keysSource);
                try {
                    pem = Files.readString(path);
                } catch (NoSuchFileException e) {
                    problems.invalid(label, keysSource, "the file " + path + " does not exist");
                    continue;
                } catch (IOException e) {
                    problems.invalid(label, keysSource, "cannot read " + path + ": " + e.getMessage());
                    continue;
                }
            }
            try {
                b.publicKeyPem(pem);
            } catch (IllegalArgumentException e) {
                problems.invalid(label, keysSource, e.getMessage()
                        + (key.startsWith("file:") || key.contains("-----") ? "" : " (for a file, write file:" + key + ")"));
            }
        }
        return problems.errorCount() > before ? null : b.build();
    }
}
