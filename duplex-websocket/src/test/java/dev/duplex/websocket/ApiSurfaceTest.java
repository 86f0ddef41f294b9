package dev.duplex.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of duplex-websocket is what a user must learn: the public types of the exported
 * package and every Duplex type reachable from their public signatures (parameters, results,
 * exceptions, fields, supertypes, nested types), whichever module it lives in. This test lists
 * them and fails when one is added or leaks in, so growing the API is a decision, not an accident.
 */
class ApiSurfaceTest {
    private static final Set<String> API = Set.of(
            "dev.duplex.websocket.HttpCall",
            "dev.duplex.websocket.HttpReply",
            "dev.duplex.websocket.PreparedMessage",
            "dev.duplex.websocket.WebSocket",
            "dev.duplex.websocket.WebSocketClient",
            "dev.duplex.websocket.WebSocketListener",
            "dev.duplex.websocket.WebSocketOptions",
            "dev.duplex.websocket.WebSocketServer");

    @Test
    void thePublicApiIsEightTypes() throws Exception {
        assertThat(reachable()).containsExactlyInAnyOrderElementsOf(API).hasSizeLessThanOrEqualTo(8);
    }

    /** The public types of package dev.duplex.websocket, and the Duplex types their signatures reach. */
    private static Set<String> reachable() throws Exception {
        Deque<Class<?>> todo = new ArrayDeque<>();
        Path dir = Path.of(WebSocket.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/duplex/websocket");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(".class") && !name.equals("module-info.class")) {
                    Class<?> type = Class.forName("dev.duplex.websocket." + name.substring(0, name.length() - 6));
                    if (isVisible(type)) {
                        todo.add(type);
                    }
                }
            }
        }
        Set<String> seen = new TreeSet<>();
        while (!todo.isEmpty()) {
            Class<?> type = todo.poll();
            while (type.isArray()) {
                type = type.getComponentType();
            }
            if (type.isPrimitive() || !type.getName().startsWith("dev.duplex.") || !seen.add(type.getName())) {
                continue;
            }
            signatureTypes(type, todo);
        }
        return seen;
    }

    private static boolean isVisible(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (!Modifier.isPublic(t.getModifiers()) && !(t.isMemberClass() && Modifier.isProtected(t.getModifiers()))) {
                return false;
            }
        }
        return !type.isAnonymousClass() && !type.isLocalClass() && !type.isSynthetic();
    }

    private static boolean isVisible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void signatureTypes(Class<?> type, Deque<Class<?>> out) {
        add(type.getGenericSuperclass(), out);
        for (Type t : type.getGenericInterfaces()) {
            add(t, out);
        }
        for (Class<?> nested : type.getDeclaredClasses()) {
            if (isVisible(nested)) {
                out.add(nested);
            }
        }
        for (Field f : type.getDeclaredFields()) {
            if (isVisible(f.getModifiers())) {
                add(f.getGenericType(), out);
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (isVisible(m.getModifiers()) && !m.isSynthetic()) {
                add(m.getGenericReturnType(), out);
                executable(m, out);
            }
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (isVisible(c.getModifiers())) {
                executable(c, out);
            }
        }
    }

    private static void executable(Executable e, Deque<Class<?>> out) {
        for (Type t : e.getGenericParameterTypes()) {
            add(t, out);
        }
        for (Type t : e.getGenericExceptionTypes()) {
            add(t, out);
        }
    }

    private static void add(Type type, Deque<Class<?>> out) {
        if (type instanceof Class<?> c) {
            out.add(c);
        } else if (type instanceof ParameterizedType p) {
            add(p.getRawType(), out);
            for (Type a : p.getActualTypeArguments()) {
                add(a, out);
            }
        } else if (type instanceof GenericArrayType g) {
            add(g.getGenericComponentType(), out);
        } else if (type instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                add(b, out);
            }
            for (Type b : w.getLowerBounds()) {
                add(b, out);
            }
        } else if (type instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) {
                add(b, out);
            }
        }
    }
}
