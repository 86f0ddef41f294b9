package dev.duplex.protocol.rfc6455;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.handshake.AcceptKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 §1.3 (and §4.2.2 item 5.4): Sec-WebSocket-Accept = base64(SHA-1(key + GUID)). */
class Section1_3_AcceptKeyTest {

    @Test
    @DisplayName("The RFC's example: dGhlIHNhbXBsZSBub25jZQ== → s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    void rfcExample() {
        assertThat(AcceptKey.of("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void matchesTheDefinitionForRandomKeys() throws Exception {
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            byte[] nonce = new byte[16];
            random.nextBytes(nonce);
            String key = Base64.getEncoder().encodeToString(nonce);
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            assertThat(AcceptKey.of(key)).isEqualTo(Base64.getEncoder().encodeToString(digest));
            assertThat(AcceptKey.isValidKey(key)).isTrue();
        }
    }

    @Test
    void theKeyIsUsedAsSentNotDecoded() {
        // Same 16 bytes would decode from neither; the accept value depends on the exact characters.
        assertThat(AcceptKey.of("dGhlIHNhbXBsZSBub25jZQ==")).isNotEqualTo(AcceptKey.of("dGhlIHNhbXBsZSBub25jZR=="));
    }

    @ParameterizedTest(name = "invalid key: \"{0}\"")
    @NullSource
    @ValueSource(strings = {
            "",
            "dGhlIHNhbXBsZSBub25jZQ",      // no padding
            "dGhlIHNhbXBsZSBub25j",        // 15 bytes worth
            "dGhlIHNhbXBsZSBub25jZWVl",    // 18 bytes, no padding
            "dGhlIHNhbXBsZSBub25jZQ===",   // too long
            "!!!!!!!!!!!!!!!!!!!!!A==",    // not base64
            "dGhlIHNhbXBsZSBub25jZQ= =",
            "dGhlIHNhbXBsZSBub25jZQ-=",
    })
    void invalidKeysAreRecognised(String key) {
        assertThat(AcceptKey.isValidKey(key)).isFalse();
    }
}
