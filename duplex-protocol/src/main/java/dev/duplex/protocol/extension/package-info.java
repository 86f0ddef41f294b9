/** {@code Sec-WebSocket-Extensions}: parsing offers and formatting answers (RFC 6455 §9.1). */
package dev.duplex.protocol.extension;
