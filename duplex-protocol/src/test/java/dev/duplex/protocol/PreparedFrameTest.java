package dev.duplex.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A frame encoded once for fan-out is exactly what a per-connection send would have written. */
class PreparedFrameTest {

    @Test
    void aServerWritesThePreparedFrameByteForByte() {
        ByteBuffer payload = ByteBuffer.wrap("fan out to everyone".getBytes(StandardCharsets.UTF_8));
        PreparedFrame prepared = PreparedFrame.textUtf8(payload);
        Endpoint direct = Endpoint.server();
        direct.connection.sendTextUtf8(payload.duplicate(), direct.out);
        Endpoint viaPrepared = Endpoint.server();
        viaPrepared.connection.sendPrepared(prepared, viaPrepared.out);
        viaPrepared.connection.sendPrepared(prepared, viaPrepared.out); // reusable: each use reads its own view
        byte[] once = direct.written();
        byte[] twice = viaPrepared.written();
        assertThat(twice).hasSize(2 * once.length);
        assertThat(java.util.Arrays.copyOfRange(twice, 0, once.length)).isEqualTo(once);
        assertThat(java.util.Arrays.copyOfRange(twice, once.length, twice.length)).isEqualTo(once);
    }

    @Test
    void largePayloadsUseTheExtendedLengthForms() {
        for (int size : new int[] {0, 125, 126, 65_535, 65_536, 200_000}) {
            PreparedFrame prepared = PreparedFrame.binary(ByteBuffer.allocate(size));
            Endpoint direct = Endpoint.server();
            direct.connection.sendBinary(ByteBuffer.allocate(size), direct.out);
            assertThat(prepared.bytes().remaining()).isEqualTo(direct.written().length);
            assertThat(prepared.payloadLength()).isEqualTo(size);
        }
    }

    @Test
    void aClientMasksThePreparedPayloadAndAServerReadsIt() {
        PreparedFrame prepared = PreparedFrame.binary(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
        Endpoint client = Endpoint.client();
        client.connection.sendPrepared(prepared, client.out);
        Endpoint server = Endpoint.server();
        server.receive(client.written());
        assertThat(server.events.take()).isEqualTo(new EventRecorder.BinaryMessage(new byte[] {1, 2, 3, 4, 5}));
    }
}
