package dev.duplex.bench.runner;

import com.sun.management.ThreadMXBean;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Bytes a JVM server has allocated, read from outside: the runner attaches to the server's process
 * (the JDK's attach API, the mechanism {@code jcmd} uses), starts its local JMX agent (bound to the
 * loopback interface) and sums {@link ThreadMXBean#getThreadAllocatedBytes(long[])} over its
 * threads. The difference across a measurement, divided by the messages it carried, is the bytes a
 * server allocates per message: a deterministic counter beside the timings.
 *
 * <p>Only live threads are counted, so a thread that ends during a measurement takes its
 * allocations with it; the servers' event loops and worker pools live as long as the server. Each
 * reading itself allocates a little in the server (the JMX call): {@link #readingCost()} measures
 * it, and it is negligible next to a measurement's hundreds of thousands of messages.
 */
final class AllocationProbe implements AutoCloseable {
    private final JMXConnector connector;
    private final ThreadMXBean threads;

    private AllocationProbe(JMXConnector connector, ThreadMXBean threads) {
        this.connector = connector;
        this.threads = threads;
    }

    static AllocationProbe attach(long pid) throws IOException {
        String address;
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
        } catch (AttachNotSupportedException e) {
            throw new IOException("Cannot attach to JVM " + pid + " (same user, attach not disabled?): " + e.getMessage(), e);
        }
        JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
        ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(connector.getMBeanServerConnection(),
                ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
        if (!threads.isThreadAllocatedMemorySupported() || !threads.isThreadAllocatedMemoryEnabled()) {
            connector.close();
            throw new IOException("JVM " + pid + " does not measure allocated memory per thread");
        }
        return new AllocationProbe(connector, threads);
    }

    /** Bytes allocated so far by the server's live threads. */
    long allocatedBytes() {
        long[] perThread = threads.getThreadAllocatedBytes(threads.getAllThreadIds());
        return Arrays.stream(perThread).filter(bytes -> bytes > 0).sum(); // -1: the thread ended meanwhile
    }

    /** What one reading allocates in the server: two readings back to back. */
    long readingCost() {
        long first = allocatedBytes();
        return allocatedBytes() - first;
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException ignored) {
            // the server is gone already
        }
    }
}
