package dev.duplex.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The Socket.IO packets {@code duplex bench fanout --socketio} reads, as a Socket.IO 4 server sends them. */
class SocketIoFramesTest {

    private static byte[] b(String s) {
        return HubText.ascii(s);
    }

    private static long ackId(String packet) {
        byte[] bytes = b(packet);
        return SocketIoFrames.ackId(bytes, bytes.length);
    }

    @Test
    void readsTheIdOfAnAck() {
        assertThat(ackId("432[]")).isEqualTo(2);
        assertThat(ackId("43100[]")).isEqualTo(100);
        assertThat(ackId("43123456789[{\"ok\":true}]")).isEqualTo(123_456_789L);
    }

    @Test
    void anythingElseIsNoAck() {
        assertThat(ackId("42[\"pub\",{\"seq\":1}]")).isEqualTo(HubText.NONE);
        assertThat(ackId("43[]")).isEqualTo(HubText.NONE); // an ack without an id
        assertThat(ackId("43")).isEqualTo(HubText.NONE);
        assertThat(ackId("4312")).isEqualTo(HubText.NONE); // cut off before its payload
        assertThat(ackId("40{\"sid\":\"x\"}")).isEqualTo(HubText.NONE);
    }

    @Test
    void recognisesControlPackets() {
        byte[] ping = b("2");
        assertThat(SocketIoFrames.is(ping, 1, SocketIoFrames.PING)).isTrue();
        byte[] open = b("0{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}");
        assertThat(HubText.startsWith(open, open.length, SocketIoFrames.OPEN)).isTrue();
        assertThat(SocketIoFrames.is(open, open.length, SocketIoFrames.PING)).isFalse();
        byte[] connected = b("40{\"sid\":\"b\"}");
        assertThat(HubText.startsWith(connected, connected.length, SocketIoFrames.CONNECTED)).isTrue();
    }

    @Test
    void readsSeqAndTimeFromAPubEvent() {
        byte[] pub = b("42[\"pub\",{\"seq\":41,\"t\":123456789012,\"pad\":\"xxxx\"}]");
        assertThat(HubText.startsWith(pub, pub.length, SocketIoFrames.PUB)).isTrue();
        assertThat(HubText.longAfter(pub, SocketIoFrames.PUB.length, pub.length, HubFanoutPatterns.SEQ)).isEqualTo(41);
        assertThat(HubText.longAfter(pub, SocketIoFrames.PUB.length, pub.length, HubFanoutPatterns.T)).isEqualTo(123456789012L);
    }

    @Test
    void aUrlWithoutPathGetsTheSocketIoPath() {
        URI url = SocketIoFrames.url(URI.create("ws://127.0.0.1:3000"));
        assertThat(url.toString()).isEqualTo("ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket");
        assertThat(SocketIoFrames.isSocketIo(url)).isTrue();
        assertThat(SocketIoFrames.isSocketIo(URI.create("ws://127.0.0.1:3000/connect"))).isFalse();
        assertThat(SocketIoFrames.url(URI.create("ws://h:1/socket.io/?EIO=4&transport=websocket&x=1")).getRawQuery())
                .endsWith("&x=1");
    }
}
