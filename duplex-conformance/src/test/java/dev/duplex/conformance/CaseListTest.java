package dev.duplex.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.conformance.cases.AutobahnCase;
import dev.duplex.conformance.cases.AutobahnCases;
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
        assertThat(AutobahnCases.countBySection()).containsExactlyEntriesOf(want);
    }

    @Test
    void idsAreUniqueAndSomeAreWhereAutobahnPutsThem() {
        List<String> ids = AutobahnCases.all().stream().map(AutobahnCase::id).toList();
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ids).startsWith("1.1.1").endsWith("10.1.1").contains("5.19", "6.4.3", "6.22.34", "6.23.7", "7.9.9", "7.13.2", "9.8.6");
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
                assertThat(c.script().get().steps()).as(c.id()).isNotEmpty();
            }
        }
    }
}
