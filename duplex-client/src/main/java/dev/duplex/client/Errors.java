package dev.duplex.client;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Small helpers for the exceptions the client reports. */
final class Errors {
    private Errors() {
    }

    /** The exception every call fails with after {@link DuplexClient#close()}. */
    static ClientClosedException clientClosed() {
        return new ClientClosedException(1000, "The client was closed");
    }

    /** The failure behind the wrappers {@link java.util.concurrent.CompletableFuture} adds. */
    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** The exception's class and message, for a reason or a log line. */
    static String describe(Throwable error) {
        String message = error.getMessage();
        return message == null ? error.getClass().getSimpleName() : error.getClass().getSimpleName() + ": " + message;
    }
}
