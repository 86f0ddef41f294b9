package dev.duplex.gateway.simulator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A thermostat with a set-point that switches a room's heating, and a relay (say, a fan) switched
 * by command. Commands are validated like a real device would: an out-of-range set-point is
 * refused with a reason. Guarded by the fleet's single thread.
 */
final class SimulatedThermostat {
    static final double MIN_SETPOINT = 5;
    static final double MAX_SETPOINT = 30;

    private final String id;
    private final SimulatedSensor room;
    private double setpoint = 21;
    private boolean heating;
    private boolean relay;

    SimulatedThermostat(String id, SimulatedSensor room) {
        this.id = id;
        this.room = room;
    }

    String id() {
        return id;
    }

    SimulatedSensor room() {
        return room;
    }

    /** Decides the heating with a little hysteresis, as real thermostats do. */
    boolean heating() {
        if (room.temperature() < setpoint - 0.3) {
            heating = true;
        } else if (room.temperature() > setpoint + 0.3) {
            heating = false;
        }
        return heating;
    }

    /** Applies a command and says how it went. */
    Ack apply(JsonNode command) {
        String commandId = command.path("id").asText(null);
        if (commandId == null) {
            return new Ack(null, false, "A command needs an \"id\" to be acknowledged");
        }
        JsonNode sp = command.get("setpoint");
        JsonNode rl = command.get("relay");
        if (sp == null && rl == null) {
            return new Ack(commandId, false, "Nothing to do: send \"setpoint\" (number) or \"relay\" (boolean)");
        }
        if (sp != null) {
            if (!sp.isNumber() || sp.asDouble() < MIN_SETPOINT || sp.asDouble() > MAX_SETPOINT) {
                return new Ack(commandId, false, "The set-point must be a number from " + MIN_SETPOINT + " to " + MAX_SETPOINT + " °C");
            }
        }
        if (rl != null && !rl.isBoolean()) {
            return new Ack(commandId, false, "\"relay\" must be true or false");
        }
        if (sp != null) {
            setpoint = Math.round(sp.asDouble() * 10) / 10.0;
        }
        if (rl != null) {
            relay = rl.asBoolean();
        }
        return new Ack(commandId, true, "applied");
    }

    State state(long time, Ack ack) {
        return new State(time, setpoint, Math.round(room.temperature() * 100) / 100.0, heating, relay, ack);
    }

    /** What the thermostat publishes: its state and, after a command, the acknowledgement. */
    record State(long time, double setpoint, double temperature, boolean heating, boolean relay, Ack ack) {
    }

    /** The answer to one command, matched by the command's id. */
    record Ack(String id, boolean ok, String message) {
    }
}
