package dev.duplex.conformance.cases;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.conformance.cases.Judge.FuzzerRole;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verdict rules on hand-made observations, without sockets. */
class JudgeTest {
    private static final Script ECHO = Script.builder()
            .send(Frame.text("a"))
            .expect(Verdict.OK, Event.text("a"))
            .close(CloseExpectation.normal())
            .killAfter(Duration.ofSeconds(1))
            .build();
    private static final Script FAIL = Script.builder()
            .send(Frame.text("a").withRsv(1))
            .expect(Verdict.OK, Event.text("x"))
            .expect(Verdict.NON_STRICT)
            .close(CloseExpectation.peerFails(1002))
            .killAfter(Duration.ofSeconds(1))
            .build();

    private static Observation closed(List<Event> events, boolean byFuzzer, Integer code, boolean peerClosedTcp, boolean dropped, boolean killed) {
        return new Observation(true, events, byFuzzer, true, !killed, code, peerClosedTcp, dropped, killed, null);
    }

    @Test
    void echoThenCleanCloseIsOk() {
        CaseResult r = Judge.judge("t", ECHO, closed(List.of(Event.text("a")), true, 1000, true, false, false), FuzzerRole.CLIENT, 1);
        assertThat(r.verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void wrongEchoFails() {
        CaseResult r = Judge.judge("t", ECHO, closed(List.of(Event.binary(new byte[] {'a'})), true, 1000, true, false, false),
                FuzzerRole.CLIENT, 1);
        assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(r.detail()).contains("events");
    }

    @Test
    void serverThatLeavesTcpOpenFailsByClient() {
        CaseResult r = Judge.judge("t", ECHO, closed(List.of(Event.text("a")), true, 1000, false, true, false), FuzzerRole.CLIENT, 1);
        assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(r.closeBehavior()).isIn(CloseBehavior.UNCLEAN, CloseBehavior.FAILED_BY_CLIENT);
    }

    @Test
    void fuzzingServerClosesTcpItself() {
        CaseResult r = Judge.judge("t", ECHO, closed(List.of(Event.text("a")), true, 1000, false, false, false), FuzzerRole.SERVER, 1);
        assertThat(r.verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void wrongCloseCodeFails() {
        CaseResult r = Judge.judge("t", FAIL, closed(List.of(Event.text("x")), false, 1000, true, false, false), FuzzerRole.CLIENT, 1);
        assertThat(r.closeBehavior()).isEqualTo(CloseBehavior.WRONG_CODE);
        assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    }

    @Test
    void failingWithoutTheEarlierEchoIsNonStrict() {
        CaseResult r = Judge.judge("t", FAIL, closed(List.of(), false, 1002, true, false, false), FuzzerRole.CLIENT, 1);
        assertThat(r.verdict()).isEqualTo(Verdict.NON_STRICT);
    }

    @Test
    void droppingTcpWithoutCloseFrameCountsAsFailing() {
        Observation o = new Observation(true, List.of(Event.text("x")), false, false, false, null, true, false, false, null);
        assertThat(Judge.judge("t", FAIL, o, FuzzerRole.CLIENT, 1).verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void aPeerThatNeverFailsFailsEvenWhenTheFuzzerIsTheServer() {
        Observation o = new Observation(true, List.of(Event.text("x")), false, false, false, null, false, true, true, null);
        CaseResult r = Judge.judge("t", FAIL, o, FuzzerRole.SERVER, 1);
        assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(r.detail()).contains("never failed");
    }

    @Test
    void protocolViolationFails() {
        Observation o = new Observation(true, List.of(Event.text("a")), true, true, true, 1000, true, false, false, "a server frame was masked");
        assertThat(Judge.judge("t", ECHO, o, FuzzerRole.CLIENT, 1).verdict()).isEqualTo(Verdict.FAILED);
    }

    @Test
    void informationalCaseIsOkOnlyWhenExact() {
        Script info = Script.builder().sendClose(Frame.close(5000)).close(CloseExpectation.fuzzerCloses(false, 1002))
                .suppressClose().informational().build();
        assertThat(Judge.judge("t", info, closed(List.of(), true, 1002, true, false, false), FuzzerRole.CLIENT, 1).verdict())
                .isEqualTo(Verdict.OK);
        assertThat(Judge.judge("t", info, closed(List.of(), true, 1000, true, false, false), FuzzerRole.CLIENT, 1).verdict())
                .isEqualTo(Verdict.INFORMATIONAL);
    }

    @Test
    void neverOpenedFails() {
        assertThat(Judge.judge("t", ECHO, Observation.notOpened("refused"), FuzzerRole.CLIENT, 1).verdict()).isEqualTo(Verdict.FAILED);
    }
}
