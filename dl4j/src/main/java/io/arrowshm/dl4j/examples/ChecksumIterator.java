package io.arrowshm.dl4j.examples;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Passes another iterator's batches on unchanged, adding each to a {@link SampleChecksum} first:
 * what the network was given, counted and summed on the way in.
 *
 * <pre>{@code
 * ChecksumIterator counted = new ChecksumIterator(ringIterator);
 * network.fit(counted);
 * System.out.println("trained on " + counted.checksum());
 * }</pre>
 */
public final class ChecksumIterator extends ForwardingIterator {
    private static final long serialVersionUID = 1L;
    private final transient SampleChecksum checksum = new SampleChecksum();

    public ChecksumIterator(DataSetIterator source) {
        super(source);
    }

    /** Every sample handed out so far. */
    public SampleChecksum checksum() {
        return checksum;
    }

    @Override
    public DataSet next(int num) {
        return counted(super.next(num));
    }

    @Override
    public DataSet next() {
        return counted(super.next());
    }

    private DataSet counted(DataSet batch) {
        checksum.add(batch);
        return batch;
    }
}
