package dev.duplex.hub.broker.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One of the broker's Lua scripts: run by its SHA-1 ({@code EVALSHA}), and sent whole only when the
 * server does not know it yet (after a restart, on a new shard). Thread-safe.
 */
final class Script {
    static final Script PUBLISH = load("publish.lua");
    static final Script READ = load("read.lua");
    static final Script PRESENCE = load("presence.lua");
    static final Script NODES = load("nodes.lua");

    private final String name;
    private final byte[] source;
    private final String sha;

    private Script(String name, byte[] source) {
        this.name = name;
        this.source = source;
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every Java runtime", e);
        }
    }

    private static Script load(String name) {
        try (InputStream in = Script.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("The Lua script " + name + " is missing from the jar");
            }
            return new Script(name, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the script; the reply is the script's array, its strings as {@code byte[]}, its numbers as {@code Long}. */
    CompletableFuture<List<Object>> run(RedisScriptingAsyncCommands<byte[], byte[]> redis, byte[][] keys, byte[]... args) {
        CompletionStage<List<Object>> first = redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args);
        return first.handle((reply, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(reply);
            }
            if (unwrap(failure) instanceof RedisNoScriptException) {
                return redis.<List<Object>>eval(source, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
            }
            return CompletableFuture.<List<Object>>failedFuture(unwrap(failure));
        }).thenCompose(f -> f).toCompletableFuture();
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    static byte[] arg(Object value) {
        return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
    }

    static String text(Object reply) {
        return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    static long number(Object reply) {
        return reply instanceof Long l ? l : Long.parseLong(text(reply));
    }

    @Override
    public String toString() {
        return name;
    }
}
