package io.arrowshm.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A byte count on the command line: a number of bytes, or one with a binary unit, {@code K}/{@code KiB},
 * {@code M}/{@code MiB}, {@code G}/{@code GiB} (powers of 1024).
 *
 * <pre>{@code
 * @Option(names = "--max-frame-bytes", converter = ByteSize.class) long maxFrameBytes;   // "256M", "1GiB", "4096"
 * }</pre>
 */
public final class ByteSize implements ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
        return parse(text);
    }

    /** "256M" -> 268435456. */
    public static long parse(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT);
        int shift = 0;
        for (String[] unit : new String[][] {{"KIB", "10"}, {"MIB", "20"}, {"GIB", "30"}, {"K", "10"}, {"M", "20"},
            {"G", "30"}, {"B", "0"}}) {
            if (t.endsWith(unit[0])) {
                shift = Integer.parseInt(unit[1]);
                t = t.substring(0, t.length() - unit[0].length()).strip();
                break;
            }
        }
        try {
            long value = Long.parseLong(t);
            if (value < 1 || value > Long.MAX_VALUE >> shift) {
                throw new TypeConversionException("'" + text + "' is not a positive size");
            }
            return value << shift;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a size (bytes, or with K, M, G: 256M, 1GiB)");
        }
    }
}
