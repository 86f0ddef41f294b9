package dev.duplex.conformance.fuzzing;

/**
 * What a permessage-deflate handshake agreed to, both directions, as the fuzzing peer holds the
 * two compressors to it.
 *
 * @param serverNoContextTakeover the server resets its compressor after every message
 * @param clientNoContextTakeover the client resets its compressor after every message
 * @param serverMaxWindowBits the server's compressor window, 2^bits octets
 * @param clientMaxWindowBits the client's compressor window, 2^bits octets
 */
record DeflateParams(boolean serverNoContextTakeover, boolean clientNoContextTakeover, int serverMaxWindowBits,
        int clientMaxWindowBits) {

    @Override
    public String toString() {
        return "server " + (serverNoContextTakeover ? "no context takeover" : "context takeover") + ", window " + serverMaxWindowBits
                + " bits; client " + (clientNoContextTakeover ? "no context takeover" : "context takeover") + ", window "
                + clientMaxWindowBits + " bits";
    }
}
