package io.arrowshm.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A float32 frame shape as the benchmarks name it ({@code "97"}, {@code "128x128"}): the same
 * label keys JMH parameters, the pyshmem script's cases and the report's rows.
 */
public record Shape(String label, long[] dims) {
    public static final Shape TINY = parse("97");
    public static final Shape SMALL = parse("128x128");
    public static final Shape MEDIUM = parse("1000x1000");
    /** 400 MB: needs /dev/shm room and a few GB of heap in the JVM that writes it from an array. */
    public static final Shape HUGE = parse("10000x10000");
    public static final List<Shape> ALL = List.of(TINY, SMALL, MEDIUM, HUGE);

    public static Shape parse(String label) {
        long[] dims = Arrays.stream(label.split("x")).mapToLong(Long::parseLong).toArray();
        return new Shape(label, dims);
    }

    public static String labels(List<Shape> shapes) {
        return shapes.stream().map(Shape::label).collect(Collectors.joining(","));
    }

    public int elements() {
        return Math.toIntExact(Arrays.stream(dims).reduce(1, Math::multiplyExact));
    }

    public long bytes() {
        return 4L * elements();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Shape && ((Shape) other).label.equals(label);
    }

    @Override
    public int hashCode() {
        return label.hashCode();
    }

    @Override
    public String toString() {
        return label;
    }
}
