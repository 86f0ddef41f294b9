package dev.duplex.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.conformance.cases.AutobahnCase;
import dev.duplex.conformance.cases.AutobahnCases;
import dev.duplex.conformance.cases.Script;
import dev.duplex.conformance.cases.Step;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The case list matches Autobahn's and the expected-results file lists exactly these cases. */
class CaseListTest {

    @Test
    void casesPerSectionAreAutobahns() {
        Map<String, Integer> want = new LinkedHashMap<>();
        want.put("1", 16);
        want.put("2", 11);
        want.put("3", 7);
        want.put("4", 10);
        want.put("5", 20);
        want.put("6", 145);
        want.put("7", 37);
        want.put("9", 54);
        want.put("10", 1);
        want.put("12", 90);
        want.put("13", 126);
        assertThat(AutobahnCases.countBySection()).containsExactlyEntriesOf(want);
    }

    @Test
    void idsAreUniqueAndSomeAreWhereAutobahnPutsThem() {
        List<String> ids = AutobahnCases.all().stream().map(AutobahnCase::id).toList();
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ids).startsWith("1.1.1").endsWith("13.7.18").contains("5.19", "6.4.3", "6.22.34", "6.23.7", "7.9.9", "7.13.2", "9.8.6", "10.1.1", "12.5.18");
        assertThat(ids.indexOf("10.1.1") + 1).isEqualTo(ids.indexOf("12.1.1"));
        assertThat(ids.indexOf("12.5.18") + 1).isEqualTo(ids.indexOf("13.1.1"));
        assertThat(ids.indexOf("6.4.4") + 1).isEqualTo(ids.indexOf("6.5.1"));
    }

    @Test
    void expectedVerdictsFileListsEveryCaseOnce() {
        List<String> ids = AutobahnCases.all().stream().map(AutobahnCase::id).toList();
        assertThat(ExpectedVerdicts.load().ids()).containsExactlyElementsOf(ids);
    }

    @Test
    void everyScriptBuilds() {
        for (AutobahnCase c : AutobahnCases.all()) {
            if (!c.section().equals("9")) {
                Script s = c.script().get();
                assertThat(s.steps()).as(c.id()).isNotEmpty();
                assertThat(s.deflate() != null).as("%s negotiates permessage-deflate", c.id()).isEqualTo(AutobahnCases.isCompression(c));
            }
        }
    }

    @Test
    void compressionCasesAreAutobahns() {
        assertThat(AutobahnCases.withoutCompression()).hasSize(301);
        List<AutobahnCase> reduced = AutobahnCases.compression(3);
        assertThat(reduced.stream().map(AutobahnCase::id).toList())
                .containsExactlyElementsOf(AutobahnCases.all().stream().filter(AutobahnCases::isCompression).map(AutobahnCase::id).toList());
        Script full = AutobahnCases.byId("13.7.18").script().get();
        assertThat(full.expectedOk()).hasSize(1000);
        Step.Echoes echoes = (Step.Echoes) full.steps().get(0);
        assertThat(echoes.count()).isEqualTo(1000);
        assertThat(echoes.fragmentSize()).isEqualTo(32768);
        assertThat(echoes.text()).isTrue();
        assertThat(full.deflate().offerHeader()).isEqualTo("permessage-deflate; client_no_context_takeover; client_max_window_bits;"
                + " server_no_context_takeover; server_max_window_bits=9, permessage-deflate; client_no_context_takeover;"
                + " client_max_window_bits; server_no_context_takeover, permessage-deflate; client_no_context_takeover;"
                + " client_max_window_bits");
        // Messages are cut one after another from the source, 131072 characters each (more octets in UTF-8).
        byte[] first = echoes.message().apply(0);
        assertThat(first.length).isGreaterThanOrEqualTo(131072);
        assertThat(new String(first, java.nio.charset.StandardCharsets.UTF_8)).hasSize(131072);
        Step.Echoes binary = (Step.Echoes) AutobahnCases.byId("12.2.1").script().get().steps().get(0);
        assertThat(binary.text()).isFalse();
        assertThat(binary.message().apply(5)).hasSize(16);
    }
}
