package dev.duplex.hub.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.hub.broker.BrokerCapacityException;
import dev.duplex.hub.broker.BrokerUnavailableException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void a_reset_connection_under_a_command_in_flight_means_redis_is_unavailable() {
        // Seen in CI: a publication in flight when the link was cut failed with the socket's own exception.
        Throwable mapped = Failures.map(new ExecutionException(new SocketException("Connection reset")));
        assertThat(mapped).isInstanceOf(BrokerUnavailableException.class).hasMessageContaining("Connection reset");
        assertThat(Failures.map(new CompletionException(new ClosedChannelException())))
                .isInstanceOf(BrokerUnavailableException.class);
    }

    @Test
    void timeouts_and_refused_connections_mean_redis_is_unavailable() {
        assertThat(Failures.map(new RedisCommandTimeoutException("Command timed out after 2 second(s)")))
                .isInstanceOf(BrokerUnavailableException.class);
        assertThat(Failures.map(new RedisConnectionException("Unable to connect to 127.0.0.1:1")))
                .isInstanceOf(BrokerUnavailableException.class);
    }

    @Test
    void out_of_memory_is_a_capacity_failure_the_client_is_told_of() {
        Throwable mapped = Failures.map(new CompletionException(
                new RedisCommandExecutionException("OOM command not allowed when used memory > 'maxmemory'.")));
        assertThat(mapped).isInstanceOf(BrokerCapacityException.class);
        assertThat(((BrokerCapacityException) mapped).limit()).isEqualTo("redis_memory");
    }

    @Test
    void other_command_errors_are_defects_and_stay_as_they_are() {
        RedisCommandExecutionException wrongType = new RedisCommandExecutionException("WRONGTYPE Operation against a key");
        assertThat(Failures.map(new ExecutionException(wrongType))).isSameAs(wrongType);
        IllegalStateException bug = new IllegalStateException("bug");
        assertThat(Failures.map(bug)).isSameAs(bug);
    }
}
