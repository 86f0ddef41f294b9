package dev.duplex.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.websocket.WebSocketOptions;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code duplex serve} with no configuration runs the WebSocket server with the library's defaults,
 * every one of them: the settings read them from {@link WebSocketOptions}, and the loader must map
 * each key back without changing it.
 */
class ServeDefaultsTest {

    @Test
    void serveWithoutConfigurationUsesTheLibrarysDefaults() throws Exception {
        WebSocketOptions serve = new ConfigLoader(Map.of()).load(null, List.of()).webSocketOptions();
        WebSocketOptions library = WebSocketOptions.defaults();
        int compared = 0;
        for (Method getter : WebSocketOptions.class.getDeclaredMethods()) {
            if (Modifier.isPublic(getter.getModifiers()) && !Modifier.isStatic(getter.getModifiers())
                    && getter.getParameterCount() == 0 && !getter.getName().startsWith("with")) {
                assertThat(getter.invoke(serve)).as(getter.getName()).isEqualTo(getter.invoke(library));
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(30);
    }
}
