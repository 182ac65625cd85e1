package io.arrowshm.cli.format;

import io.arrowshm.DType;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;

/**
 * Prints a C-order payload the way {@code print(array)} does in NumPy 2 with the default
 * print options: nested brackets, columns aligned per dtype, lines wrapped at 75 characters
 * and, past 1000 elements, each axis longer than 6 cut to its first and last 3 items around
 * {@code ...}.
 *
 * <pre>{@code
 * String text = NumpyPrinter.format(payload, DType.FLOAT32, new long[] {2, 3}, false);
 * // [[0.  0.5 1. ]
 * //  [1.5 2.  2.5]]
 * }</pre>
 *
 * <p>The layout follows {@code numpy/_core/arrayprint.py} ({@code _formatArray}) line by
 * line, so that wrapping and blank lines between blocks match; the element formats are
 * NumPy's formatters, sized from the elements shown (as NumPy sizes them from the summarised
 * data).
 */
public final class NumpyPrinter {
    /** NumPy's {@code threshold}: more elements than this are summarised. */
    public static final long THRESHOLD = 1000;
    /** NumPy's {@code edgeitems}. */
    public static final int EDGE_ITEMS = 3;
    /** NumPy's {@code linewidth}. */
    public static final int LINE_WIDTH = 75;
    private static final String SEPARATOR = " ";
    private static final String SUMMARY = "...";

    private final long[] shape;
    private final long[] strides;
    private final boolean summarise;
    private final ElementFormat format;

    private NumpyPrinter(long[] shape, boolean summarise, ElementFormat format) {
        this.shape = shape;
        this.summarise = summarise;
        this.format = format;
        this.strides = new long[shape.length];
        long stride = 1;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            strides[axis] = stride;
            stride *= shape[axis];
        }
    }

    /**
     * The NumPy text of {@code data}, elements of {@code dtype} in C order with dimensions
     * {@code shape}; {@code full} prints every element however many there are.
     *
     * @throws IllegalArgumentException when a full print would need more than 2^31 elements
     */
    public static String format(ArrowBuf data, DType dtype, long[] shape, boolean full) {
        long elements = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        boolean summarise = !full && elements > THRESHOLD;
        long[] shown = Selection.flatIndices(shape, summarise ? EDGE_ITEMS : -1);
        NumpyPrinter printer = new NumpyPrinter(shape.clone(), summarise, ElementFormat.of(data, dtype, shown));
        return printer.recurse(0, 0, " ", LINE_WIDTH);
    }

    private String recurse(int axis, long base, String hangingIndent, int width) {
        int axesLeft = shape.length - axis;
        if (axesLeft == 0) {
            return format.format(base);
        }
        String nextIndent = hangingIndent + " ";
        int nextWidth = width - 1; // the ']' this level adds
        long length = shape[axis];
        boolean showSummary = summarise && 2L * EDGE_ITEMS < length;
        long leading = showSummary ? EDGE_ITEMS : 0;
        long trailing = showSummary ? EDGE_ITEMS : length;
        StringBuilder s = new StringBuilder();
        if (axesLeft == 1) {
            int elementWidth = width - Math.max(SEPARATOR.stripTrailing().length(), 1);
            StringBuilder line = new StringBuilder(hangingIndent);
            for (long i = 0; i < leading; i++) {
                extendLine(s, line, recurse(axis + 1, base + i * strides[axis], nextIndent, nextWidth), elementWidth,
                        hangingIndent);
                line.append(SEPARATOR);
            }
            if (showSummary) {
                extendLine(s, line, SUMMARY, elementWidth, hangingIndent);
                line.append(SEPARATOR);
            }
            for (long i = trailing; i > 1; i--) {
                extendLine(s, line, recurse(axis + 1, base + (length - i) * strides[axis], nextIndent, nextWidth),
                        elementWidth, hangingIndent);
                line.append(SEPARATOR);
            }
            extendLine(s, line, recurse(axis + 1, base + (length - 1) * strides[axis], nextIndent, nextWidth),
                    elementWidth, hangingIndent);
            s.append(line);
        } else {
            String lineSeparator = SEPARATOR.stripTrailing() + "\n".repeat(axesLeft - 1);
            for (long i = 0; i < leading; i++) {
                s.append(hangingIndent).append(recurse(axis + 1, base + i * strides[axis], nextIndent, nextWidth))
                        .append(lineSeparator);
            }
            if (showSummary) {
                s.append(hangingIndent).append(SUMMARY).append(lineSeparator);
            }
            for (long i = trailing; i > 1; i--) {
                s.append(hangingIndent)
                        .append(recurse(axis + 1, base + (length - i) * strides[axis], nextIndent, nextWidth))
                        .append(lineSeparator);
            }
            s.append(hangingIndent).append(recurse(axis + 1, base + (length - 1) * strides[axis], nextIndent,
                    nextWidth));
        }
        return "[" + s.substring(hangingIndent.length()) + "]";
    }

    /** NumPy's {@code _extendLine}: wrap before {@code word} unless the line holds only its indent. */
    private static void extendLine(StringBuilder s, StringBuilder line, String word, int lineWidth, String indent) {
        boolean wrap = line.length() + word.length() > lineWidth && line.length() > indent.length();
        if (wrap) {
            s.append(line.toString().stripTrailing()).append('\n');
            line.setLength(0);
            line.append(indent);
        }
        line.append(word);
    }
}
