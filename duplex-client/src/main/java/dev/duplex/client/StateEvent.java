package dev.duplex.client;

import java.time.Duration;
import java.util.Objects;

/**
 * A change of a {@link DuplexClient}'s {@link ConnectionState}.
 *
 * @param state the new state
 * @param code for {@link ConnectionState#CLOSED}: the hub's disconnect code when it sent a
 *     {@code disconnect} message, otherwise the WebSocket close code (1006 for a dropped connection or
 *     a failed attempt, 1000 after {@link DuplexClient#close()}); null for the other states
 * @param reason why, in words; null when there is nothing to say
 * @param willReconnect whether the client will try again on its own
 * @param nextRetryDelay when {@code willReconnect}: how long until the next attempt starts (back-off,
 *     the hub's {@code retryAfter}, or an open circuit breaker); null otherwise
 * @param attempt for {@link ConnectionState#CONNECTING} and {@link ConnectionState#OPEN}: the number
 *     of this attempt since the last connection that reached OPEN (1 = the first); for
 *     {@link ConnectionState#CLOSED} and {@link ConnectionState#CLOSING}: how many attempts in a row
 *     have failed (0 when an open connection ended)
 * @param error the exception behind a failed attempt (e.g. {@link java.net.ConnectException}), or null
 */
public record StateEvent(ConnectionState state, Integer code, String reason, boolean willReconnect,
                         Duration nextRetryDelay, int attempt, Throwable error) {

    /** An event with nothing but the state and the attempt count; add the rest with the {@code with…} methods. */
    static StateEvent of(ConnectionState state, int attempt) {
        return new StateEvent(Objects.requireNonNull(state, "state"), null, null, false, null, attempt, null);
    }

    /** A copy with the close or disconnect code. */
    StateEvent withCode(int value) {
        return new StateEvent(state, value, reason, willReconnect, nextRetryDelay, attempt, error);
    }

    /** A copy with the reason (null: nothing to say). */
    StateEvent withReason(String value) {
        return new StateEvent(state, code, value, willReconnect, nextRetryDelay, attempt, error);
    }

    /** A copy that says the client reconnects after {@code delay}. */
    StateEvent withRetryIn(Duration delay) {
        return new StateEvent(state, code, reason, true, Objects.requireNonNull(delay, "delay"), attempt, error);
    }

    /** A copy with the exception behind it (null: none). */
    StateEvent withError(Throwable value) {
        return new StateEvent(state, code, reason, willReconnect, nextRetryDelay, attempt, value);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(state.name());
        if (code != null) {
            s.append(' ').append(code);
        }
        if (reason != null) {
            s.append(" (").append(reason).append(')');
        }
        s.append(" attempt ").append(attempt);
        if (willReconnect) {
            s.append(", retry in ").append(nextRetryDelay == null ? "?" : nextRetryDelay.toMillis() + " ms");
        }
        return s.toString();
    }
}
