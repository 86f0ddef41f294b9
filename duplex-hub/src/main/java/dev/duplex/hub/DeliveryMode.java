package dev.duplex.hub;

/** How a namespace's channels deliver to a new subscriber. */
public enum DeliveryMode {
    /** Publications from now on (and recovered ones when the subscriber asks). */
    STREAM,
    /** Also the latest publication at once, like a sensor's current reading. */
    LATEST
}
