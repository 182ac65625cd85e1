package io.arrowshm.cli.format;

import org.apache.arrow.memory.ArrowBuf;

/**
 * NumPy's {@code ComplexFloatingFormat}: the real parts and the imaginary parts each get
 * their own {@link FloatFormat} (the imaginary one always signed), joined as {@code 1.+2.j},
 * with the 'j' placed before the imaginary column's padding.
 */
final class ComplexFormat implements ElementFormat {
    private final ArrowBuf data;
    private final BinaryFloat binary;
    private final FloatFormat real;
    private final FloatFormat imaginary;

    private ComplexFormat(ArrowBuf data, BinaryFloat binary, FloatFormat real, FloatFormat imaginary) {
        this.data = data;
        this.binary = binary;
        this.real = real;
        this.imaginary = imaginary;
    }

    static ComplexFormat of(ArrowBuf data, BinaryFloat binary, long[] shown) {
        double[] re = new double[shown.length];
        double[] im = new double[shown.length];
        for (int i = 0; i < shown.length; i++) {
            long offset = shown[i] * 2 * binary.width();
            re[i] = binary.read(data, offset);
            im[i] = binary.read(data, offset + binary.width());
        }
        return new ComplexFormat(data, binary, new FloatFormat(re, binary, false), new FloatFormat(im, binary, true));
    }

    @Override
    public String format(long flatIndex) {
        long offset = flatIndex * 2 * binary.width();
        String re = real.format(binary.read(data, offset));
        String im = imaginary.format(binary.read(data, offset + binary.width()));
        int end = im.stripTrailing().length();
        return re + im.substring(0, end) + "j" + im.substring(end);
    }
}
