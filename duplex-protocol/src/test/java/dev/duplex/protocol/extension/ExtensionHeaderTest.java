package dev.duplex.protocol.extension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Sec-WebSocket-Extensions (RFC 6455 §9.1) parsed linearly, names treated as data. */
class ExtensionHeaderTest {

    @Test
    void parsesOffersWithParametersAndQuotedValues() {
        List<ExtensionOffer> offers = ExtensionHeader.parse(List.of(
                "permessage-deflate; client_max_window_bits; server_max_window_bits=\"10\", x-other"));
        assertThat(offers).hasSize(2);
        assertThat(offers.get(0).name()).isEqualTo("permessage-deflate");
        assertThat(offers.get(0).params()).containsExactly(
                new ExtensionOffer.Param("client_max_window_bits", null),
                new ExtensionOffer.Param("server_max_window_bits", "10"));
        assertThat(offers.get(1)).isEqualTo(new ExtensionOffer("x-other", List.of()));
    }

    @Test
    void emptyListElementsAreIgnored() {
        // RFC 9110 §5.6.1.2: a recipient must accept and ignore empty list elements.
        assertThat(ExtensionHeader.parse(List.of(", a,, b ,", "", " , ")))
                .extracting(ExtensionOffer::name).containsExactly("a", "b");
    }

    @Test
    void specialNamesAreJustData() {
        // NSP-550: "constructor" crashed Node's ws; here it is one more name.
        List<ExtensionOffer> offers = ExtensionHeader.parse(List.of("constructor; __proto__=1, permessage-deflate; permessage-deflate"));
        assertThat(offers).extracting(ExtensionOffer::name).containsExactly("constructor", "permessage-deflate");
        assertThat(offers.get(1).count("permessage-deflate")).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a;", "a; =1", "a b", "a; b=\"unterminated", "a; b=\"not a token\"", "a; b=", "\"a\""})
    void malformedValuesAreRefusedWithAReason(String value) {
        assertThatThrownBy(() -> ExtensionHeader.parse(List.of(value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching(".{10,}");
    }

    @Test
    void unclosedQuotedBackslashesCostLinearTime() {
        // CVE-2020-7662 class: a regex-based parser took exponential time on this.
        String hostile = "a; b=\"" + "\\c".repeat(200_000);
        long start = System.nanoTime();
        assertThatThrownBy(() -> ExtensionHeader.parse(List.of(hostile))).isInstanceOf(IllegalArgumentException.class);
        assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
    }

    @Test
    void formatsWhatItParses() {
        String header = "permessage-deflate; client_max_window_bits=10; server_no_context_takeover, x-y";
        assertThat(ExtensionHeader.format(ExtensionHeader.parse(List.of(header)))).isEqualTo(header);
    }
}
