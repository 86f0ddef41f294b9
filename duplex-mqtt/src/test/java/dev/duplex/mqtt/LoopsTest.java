package dev.duplex.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class LoopsTest {
    @Test
    void onlyOurOwnOriginIsDropped() {
        Loops loops = new Loops("bridge-a", 10);
        assertTrue(loops.exportedByUs("bridge-a"));
        assertFalse(loops.exportedByUs("bridge-b"));
        assertFalse(loops.exportedByUs(null));
    }

    @Test
    void anImportIsSeenOnceOnItsChannel() {
        Loops loops = new Loops("o", 10);
        assertTrue(loops.importing("mqtt:a", IntNode.valueOf(1)));
        assertFalse(loops.wasImported("mqtt:b", IntNode.valueOf(1)), "another channel");
        assertFalse(loops.wasImported("mqtt:a", IntNode.valueOf(2)), "other data");
        assertTrue(loops.wasImported("mqtt:a", IntNode.valueOf(1)));
        assertFalse(loops.wasImported("mqtt:a", IntNode.valueOf(1)), "consumed: a hub publication of the same data later is exported");
        assertEquals(0, loops.pending());
    }

    @Test
    void binaryMatchesTheBase64StringTheHubKeepsInJson() {
        Loops loops = new Loops("o", 10);
        byte[] bytes = {(byte) 0xff, 0};
        loops.importing("mqtt:a", BinaryNode.valueOf(bytes));
        assertTrue(loops.wasImported("mqtt:a", TextNode.valueOf(Base64.getEncoder().encodeToString(bytes))));
    }

    @Test
    void pendingImportsAreBoundedAndAFailedImportIsForgotten() {
        Loops loops = new Loops("o", 2);
        assertTrue(loops.importing("mqtt:a", IntNode.valueOf(1)));
        assertTrue(loops.importing("mqtt:a", IntNode.valueOf(1)));
        assertFalse(loops.importing("mqtt:a", IntNode.valueOf(3)));
        assertEquals(2, loops.pending());
        loops.forget("mqtt:a", IntNode.valueOf(1));
        assertEquals(1, loops.pending());
        assertTrue(loops.wasImported("mqtt:a", IntNode.valueOf(1)));
        assertEquals(0, loops.pending());
    }

    @Test
    void originAndBoundAreChecked() {
        assertEquals("origin must be 1–128 characters", assertThrows(IllegalArgumentException.class, () -> new Loops("", 1)).getMessage());
        assertEquals("maxPending must be at least 1", assertThrows(IllegalArgumentException.class, () -> new Loops("o", 0)).getMessage());
    }
}
