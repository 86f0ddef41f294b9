package dev.duplex.gateway.simulator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.hub.Access;
import dev.duplex.hub.DeliveryMode;
import dev.duplex.hub.Hub;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.SlowConsumerPolicy;
import dev.duplex.hub.protocol.Publication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A small simulated fleet so that a dashboard is alive on first run: three rooms with sensors
 * publishing to {@code sensors:room-N} and a thermostat publishing its state to
 * {@code devices:thermostat-1}, which obeys commands published to {@code commands:thermostat-1}
 * and acknowledges each in its next state ({@code ack.id} = the command's {@code id}).
 *
 * <pre>
 * sensors:room-1        {"time":…,"temperature":21.4,"humidity":45.2,"co2":612}
 * devices:thermostat-1  {"time":…,"setpoint":21.0,"temperature":21.4,"heating":false,"relay":false,
 *                        "ack":{"id":"cmd-7","ok":true,"message":"applied"}}
 * commands:thermostat-1 {"id":"cmd-7","setpoint":22.5}  or  {"id":"cmd-8","relay":true}
 * </pre>
 *
 * All devices run on one thread of their own. The MQTT bridge will feed the same channels from real
 * devices.
 */
public final class DeviceFleet implements AutoCloseable {
    public static final String SENSORS = "sensors";
    public static final String DEVICES = "devices";
    public static final String COMMANDS = "commands";
    private static final System.Logger LOG = System.getLogger("dev.duplex.gateway");

    private final Hub hub;
    private final ObjectMapper json = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);
    private final List<SimulatedSensor> rooms = new ArrayList<>();
    private final SimulatedThermostat thermostat;
    private final ScheduledExecutorService thread;
    private final AutoCloseable commands;

    private DeviceFleet(Hub hub, Duration interval, Random random) {
        this.hub = hub;
        for (int i = 1; i <= 3; i++) {
            rooms.add(new SimulatedSensor("room-" + i, random));
        }
        this.thermostat = new SimulatedThermostat("thermostat-1", rooms.get(0));
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duplex-device-fleet");
            t.setDaemon(true);
            return t;
        });
        this.commands = hub.listen(commandChannel(thermostat.id()),
                publication -> thread.execute(() -> onCommand(publication)));
        thread.execute(() -> publishState(null));
        thread.scheduleAtFixedRate(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts the fleet on {@code hub}, one reading per sensor every {@code interval}. The hub must
     * have the {@link #namespaces()} configured.
     */
    public static DeviceFleet start(Hub hub, Duration interval) {
        return new DeviceFleet(hub, interval, new Random());
    }

    /** Same, with a seeded random for reproducible readings. */
    public static DeviceFleet start(Hub hub, Duration interval, Random random) {
        return new DeviceFleet(hub, interval, random);
    }

    /**
     * The namespaces the fleet publishes to, as a live dashboard wants them: sensors and devices in
     * latest-value mode with a few minutes of history for charts, nobody but the devices publishes
     * there; commands open to clients.
     */
    public static Map<String, NamespaceConfig> namespaces() {
        Map<String, NamespaceConfig> namespaces = new LinkedHashMap<>();
        namespaces.put(SENSORS, NamespaceConfig.builder().mode(DeliveryMode.LATEST).historySize(300)
                .historyTtl(Duration.ofMinutes(10)).presence(false).joinLeave(false).publish(Access.NOBODY)
                .slowConsumer(SlowConsumerPolicy.LATEST_PER_KEY).build());
        namespaces.put(DEVICES, NamespaceConfig.builder().mode(DeliveryMode.LATEST).historySize(50)
                .historyTtl(Duration.ofMinutes(10)).presence(false).joinLeave(false).publish(Access.NOBODY).build());
        namespaces.put(COMMANDS, NamespaceConfig.builder().historySize(50).historyTtl(Duration.ofMinutes(10))
                .presence(false).joinLeave(false).maxMessageBytes(1024).build());
        return namespaces;
    }

    public static String sensorChannel(String room) {
        return SENSORS + ":" + room;
    }

    public static String deviceChannel(String device) {
        return DEVICES + ":" + device;
    }

    public static String commandChannel(String device) {
        return COMMANDS + ":" + device;
    }

    /** The sensor rooms, e.g. "room-1". */
    public List<String> rooms() {
        return rooms.stream().map(SimulatedSensor::id).toList();
    }

    public String thermostat() {
        return thermostat.id();
    }

    private void tick() {
        try {
            long now = System.currentTimeMillis();
            boolean heating = thermostat.heating();
            for (SimulatedSensor room : rooms) {
                room.step(room == thermostat.room() && heating);
                publish(sensorChannel(room.id()), room.reading(now));
            }
            publishState(null);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Simulated devices failed a step", e);
        }
    }

    private void onCommand(Publication command) {
        SimulatedThermostat.Ack ack = thermostat.apply(command.data());
        LOG.log(System.Logger.Level.DEBUG, "{0} command {1}: {2}", thermostat.id(), ack.id(), ack.message());
        publishState(ack);
    }

    private void publishState(SimulatedThermostat.Ack ack) {
        publish(deviceChannel(thermostat.id()), thermostat.state(System.currentTimeMillis(), ack));
    }

    private void publish(String channel, Object value) {
        JsonNode data = json.valueToTree(value);
        hub.publish(channel, data, null).exceptionally(failure -> {
            LOG.log(System.Logger.Level.WARNING, "Publishing to " + channel + " failed: " + failure);
            return null;
        });
    }

    @Override
    public void close() {
        try {
            commands.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "Closing the command listener failed", e);
        }
        thread.shutdownNow();
    }
}
