package io.arrowshm.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The pickles made by src/test/python/make_torch_ipc_fixtures.py (CPython's pickler with
 * stand-in torch modules) and the values they were made from, plus pickles that real torch
 * wrote (kept by gpu/device-check.sh) with their values in {@code real-torch.properties}.
 */
final class Fixtures {
    private static final String DIR = "/io/arrowshm/gpu/fixtures/";
    private static final Properties EXPECTED = load();

    private Fixtures() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream(DIR + name + ".bin")) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name + "; run make_torch_ipc_fixtures.py");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of the fixtures torch could have written (those with expected values). */
    static Stream<String> valid() {
        TreeSet<String> names = new TreeSet<>();
        for (String key : EXPECTED.stringPropertyNames()) {
            names.add(key.substring(0, key.indexOf('.')));
        }
        return names.stream();
    }

    static String expected(String fixture, String key) {
        String value = EXPECTED.getProperty(fixture + "." + key);
        if (value == null) {
            throw new IllegalStateException("no expected " + key + " for " + fixture);
        }
        return value;
    }

    static long expectedLong(String fixture, String key) {
        return Long.parseLong(expected(fixture, key));
    }

    static long[] expectedLongs(String fixture, String key) {
        return Stream.of(expected(fixture, key).split(",")).mapToLong(Long::parseLong).toArray();
    }

    static byte[] expectedHex(String fixture, String key) {
        return HexFormat.of().parseHex(expected(fixture, key));
    }

    private static Properties load() {
        Properties p = new Properties();
        // expected.properties is the generator's; real-torch.properties holds pickles kept from real torch runs.
        for (String file : new String[] {"expected.properties", "real-torch.properties"}) {
            try (InputStream in = Fixtures.class.getResourceAsStream(DIR + file)) {
                if (in == null) {
                    throw new IllegalStateException("missing " + file + " among the test resources");
                }
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return p;
    }
}
