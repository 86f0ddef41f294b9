package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Regression (security review 2026-12, finding 6), end to end: a 50,000-deep MessagePack publish
 * was stored, its publisher got error 100, the live subscriber silently skipped that offset and later
 * history reads got no reply; a 6-byte message declaring a 60 MiB string was allocated and closed the
 * connection with 1011. Both are now refused with 107 before an offset is assigned, and nobody skips.
 */
class MessagePackLimitsTest extends HubTestBase {

    private static byte[] publish(String channel, byte[] dataValue) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x84);
        str(out, "type");
        str(out, "publish");
        str(out, "id");
        out.write(7);
        str(out, "channel");
        str(out, channel);
        str(out, "data");
        out.writeBytes(dataValue);
        return out.toByteArray();
    }

    private static void str(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(0xa0 | b.length);
        out.writeBytes(b);
    }

    @Test
    void hostileMessagePackIsRefusedBeforeAnOffsetAndNoSubscriberSkipsOne() throws Exception {
        start(HubConfig.defaults());
        TestHubClient publisher = track(new TestHubClient(server.port(), HubCodec.MSGPACK));
        publisher.connect(null);
        TestHubClient subscriber = track(new TestHubClient(server.port(), HubCodec.MSGPACK));
        subscriber.connect(null);
        subscriber.subscribe("feed");

        byte[] deep = new byte[50_001];
        Arrays.fill(deep, 0, 50_000, (byte) 0x91);
        publisher.sendRaw(publish("feed", deep));
        ServerMessage.Error nested = publisher.expect(ServerMessage.Error.class);
        assertThat(nested.code()).isEqualTo(107);
        assertThat(nested.message()).contains("nesting deeper than 64");

        publisher.sendRaw(new byte[] {(byte) 0x81, (byte) 0xdb, 0x03, (byte) 0xc0, 0x00, 0x00});
        ServerMessage.Error declared = publisher.expect(ServerMessage.Error.class);
        assertThat(declared.code()).isEqualTo(107);
        assertThat(declared.message()).contains("declares 62914560 bytes");
        assertThat(publisher.isOpen()).as("no 1011").isTrue();

        long id = publisher.nextId();
        publisher.send(new Command.Publish(id, "feed", TextNode.valueOf("fine"), null, null));
        assertThat(((ServerMessage.Ack) publisher.reply(id)).offset()).as("the refused ones took no offset").isEqualTo(1);
        Publication p = subscriber.expect(Publication.class);
        assertThat(p.offset()).isEqualTo(1);
        assertThat(p.data().asText()).isEqualTo("fine");
        long h = subscriber.nextId();
        subscriber.send(new Command.History(h, "feed", null, null));
        assertThat(((ServerMessage.HistoryResult) subscriber.reply(h)).publications()).hasSize(1);
        assertThat(subscriber.received()).noneMatch(m -> m instanceof ServerMessage.Disconnect);
    }

    @Test
    void dataWithoutAFormInTheOtherFormatIsRefusedNotSkipped() throws Exception {
        start(HubConfig.defaults());
        TestHubClient json = connect();
        TestHubClient msgpack = track(new TestHubClient(server.port(), HubCodec.MSGPACK));
        msgpack.connect(null);
        msgpack.subscribe("numbers");
        // 2^70: a JSON number MessagePack cannot hold.
        json.sendText("{\"type\":\"publish\",\"id\":3,\"channel\":\"numbers\",\"data\":1180591620717411303424}");
        ServerMessage.Error refused = json.expect(ServerMessage.Error.class);
        assertThat(refused.code()).isEqualTo(107);
        assertThat(refused.id()).isEqualTo(3);
        assertThat(refused.message()).contains("no form in both JSON and MessagePack");
        json.sendText("{\"type\":\"publish\",\"id\":4,\"channel\":\"numbers\",\"data\":42}");
        assertThat(((ServerMessage.Ack) json.reply(4)).offset()).isEqualTo(1);
        assertThat(msgpack.expect(Publication.class).data().asInt()).isEqualTo(42);
    }
}
