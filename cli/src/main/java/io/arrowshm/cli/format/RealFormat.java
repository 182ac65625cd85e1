package io.arrowshm.cli.format;

import org.apache.arrow.memory.ArrowBuf;

/** float16/float32/float64 elements through one {@link FloatFormat}. */
final class RealFormat implements ElementFormat {
    private final ArrowBuf data;
    private final BinaryFloat binary;
    private final FloatFormat format;

    private RealFormat(ArrowBuf data, BinaryFloat binary, FloatFormat format) {
        this.data = data;
        this.binary = binary;
        this.format = format;
    }

    static RealFormat of(ArrowBuf data, BinaryFloat binary, long[] shown) {
        double[] values = new double[shown.length];
        for (int i = 0; i < shown.length; i++) {
            values[i] = binary.read(data, shown[i] * binary.width());
        }
        return new RealFormat(data, binary, new FloatFormat(values, binary, false));
    }

    @Override
    public String format(long flatIndex) {
        return format.format(binary.read(data, flatIndex * binary.width()));
    }
}
