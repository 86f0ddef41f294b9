package dev.duplex.protocol.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Utf8}, the encoder, against {@link String#getBytes} with UTF-8. */
class Utf8Test {

    private static byte[] encode(String text, int at) {
        int length = Utf8.encodedLength(text);
        ByteBuffer out = ByteBuffer.allocate(at + length + 3);
        out.position(at);
        Utf8.encode(text, out);
        assertThat(out.position()).as("encodedLength matches what encode wrote").isEqualTo(at + length);
        return Arrays.copyOfRange(out.array(), at, at + length);
    }

    @Test
    @DisplayName("10,000 random valid strings encode exactly as String.getBytes(UTF_8)")
    void randomStringsMatchTheJdk() {
        Random random = new Random(31);
        for (int n = 0; n < 10_000; n++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                b.appendCodePoint(Utf8ValidatorTest.randomCodePoint(random));
            }
            String text = b.toString();
            assertThat(encode(text, random.nextInt(5))).as(text).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "a", "\u007f", "\u0080", "\u07ff", "\u0800", "\ud7ff", "\ue000", "\uffff", "\ud800\udc00",
            "\udbff\udfff", "𝄞", "a𝄞b€c", "Hello-µ@ßöäüàá-UTF-8!!"})
    void boundaryCharacters(String text) {
        assertThat(encode(text, 0)).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void surrogatePairsTakeFourBytes() {
        assertThat(Utf8.encodedLength("𝄞")).isEqualTo(4);
        assertThat(Utf8.encodedLength("𝄞𝄞x")).isEqualTo(9);
    }

    @Test
    void acceptsAnyCharSequence() {
        StringBuilder b = new StringBuilder("κόσμε 𝄞");
        assertThat(Utf8.encodedLength(b)).isEqualTo(b.toString().getBytes(StandardCharsets.UTF_8).length).isEqualTo(15);
    }

    @ParameterizedTest(name = "unpaired surrogate in {0} → IllegalArgumentException")
    @ValueSource(strings = {"\ud800", "a\ud800b", "\udc00", "\udc00\ud800", "\ud800\ud800", "x\udbff", "\udfff"})
    void unpairedSurrogateIsRefused(String text) {
        assertThatThrownBy(() -> Utf8.encodedLength(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
