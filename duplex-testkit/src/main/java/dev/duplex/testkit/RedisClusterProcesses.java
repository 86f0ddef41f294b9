package dev.duplex.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster of {@code masters} master processes (no replicas) on free loopback ports,
 * made with {@code redis-cli --cluster create}. Close it to stop every process.
 */
public final class RedisClusterProcesses implements AutoCloseable {
    private final List<RedisProcess> nodes;

    private RedisClusterProcesses(List<RedisProcess> nodes) {
        this.nodes = nodes;
    }

    public static RedisClusterProcesses start(int masters) throws IOException, InterruptedException {
        Path cli = Executables.require("redis-cli", "redis-tools");
        List<RedisProcess> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < masters; i++) {
                nodes.add(RedisProcess.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + i + ".conf",
                        "--cluster-node-timeout", "5000"));
            }
            List<String> cmd = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
            for (RedisProcess n : nodes) {
                cmd.add("127.0.0.1:" + n.port());
            }
            cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process create = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(create.getInputStream().readAllBytes());
            if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
                throw new IOException("redis-cli --cluster create failed: " + output);
            }
            RedisClusterProcesses cluster = new RedisClusterProcesses(nodes);
            cluster.awaitOk();
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            for (RedisProcess n : nodes) {
                n.close();
            }
            throw e;
        }
    }

    /** Every node reports {@code cluster_state:ok} (bounded wait). */
    private void awaitOk() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (RedisProcess n : nodes) {
            while (!n.command("CLUSTER", "INFO").contains("cluster_state:ok")) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("The Redis Cluster did not become ok: " + n.command("CLUSTER", "INFO"));
                }
                Thread.sleep(20);
            }
        }
    }

    public List<RedisProcess> nodes() {
        return nodes;
    }

    /** {@code redis-cluster://127.0.0.1:PORT} for the first node: a seed. */
    public String uri() {
        return "redis-cluster://127.0.0.1:" + nodes.get(0).port();
    }

    @Override
    public void close() throws InterruptedException {
        for (RedisProcess n : nodes) {
            n.close();
        }
    }
}
