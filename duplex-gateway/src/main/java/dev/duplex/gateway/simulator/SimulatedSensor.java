package dev.duplex.gateway.simulator;

import java.util.Random;

/**
 * One room's sensors: temperature (°C), relative humidity (%) and CO2 (ppm), each a bounded random
 * walk so that charts move plausibly. The room's heating, when on, pulls the temperature up.
 */
final class SimulatedSensor {
    private final String id;
    private final Random random;
    private double temperature;
    private double humidity;
    private double co2;

    SimulatedSensor(String id, Random random) {
        this.id = id;
        this.random = random;
        this.temperature = 19.5 + random.nextDouble() * 3;
        this.humidity = 40 + random.nextDouble() * 15;
        this.co2 = 450 + random.nextDouble() * 300;
    }

    String id() {
        return id;
    }

    double temperature() {
        return temperature;
    }

    /** Advances one step; {@code heating} adds warmth, the room otherwise cools slowly toward 18 °C. */
    void step(boolean heating) {
        double drift = heating ? 0.08 : (18 - temperature) * 0.01;
        temperature = clamp(temperature + drift + random.nextGaussian() * 0.05, 10, 35);
        humidity = clamp(humidity + random.nextGaussian() * 0.4, 20, 80);
        co2 = clamp(co2 + random.nextGaussian() * 15, 380, 2000);
    }

    Reading reading(long time) {
        return new Reading(time, round(temperature, 2), round(humidity, 1), Math.round(co2));
    }

    /** What a sensor publishes. */
    record Reading(long time, double temperature, double humidity, long co2) {
    }

    private static double clamp(double v, double min, double max) {
        return Math.max(min, Math.min(max, v));
    }

    private static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }
}
