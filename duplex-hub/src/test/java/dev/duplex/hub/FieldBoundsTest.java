package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ServerMessage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Regression (security review 2026-12, finding 3): a 1 MiB {@code key} and {@code msgId} with
 * {@code data: {}} were acknowledged and stored, since only {@code data} was measured.
 */
class FieldBoundsTest extends HubTestBase {

    @Test
    void aHugeKeyOrMessageIdIsRefusedWith107AndNothingIsStored() throws Exception {
        start(HubConfig.defaults());
        TestHubClient c = connect();
        String big = "k".repeat(200_000);

        ServerMessage.Error key = c.error(new Command.Publish(c.nextId(), "log", JsonNodeFactory.instance.objectNode(), null, big));
        assertThat(key.code()).isEqualTo(107);
        assertThat(key.message()).contains("\"key\"").contains("256 bytes");
        ServerMessage.Error msgId = c.error(new Command.Publish(c.nextId(), "log", JsonNodeFactory.instance.objectNode(), big, null));
        assertThat(msgId.code()).isEqualTo(107);
        assertThat(msgId.message()).contains("\"msgId\"");

        assertThat(hub().history("log", null, 100).get(5, TimeUnit.SECONDS).publications()).as("nothing stored").isEmpty();
        long id = c.nextId();
        c.send(new Command.Publish(id, "log", JsonNodeFactory.instance.objectNode(), "m".repeat(256), "k".repeat(256)));
        assertThat(((ServerMessage.Ack) c.reply(id)).offset()).as("the refused publishes took no offset").isEqualTo(1);
    }
}
