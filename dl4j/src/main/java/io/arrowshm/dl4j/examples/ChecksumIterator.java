package io.arrowshm.dl4j.examples;

import java.util.List;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
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
public final class ChecksumIterator implements DataSetIterator {
    private static final long serialVersionUID = 1L;
    private final DataSetIterator source;
    private final transient SampleChecksum checksum = new SampleChecksum();

    public ChecksumIterator(DataSetIterator source) {
        this.source = source;
    }

    /** Every sample handed out so far. */
    public SampleChecksum checksum() {
        return checksum;
    }

    @Override
    public DataSet next(int num) {
        return counted(source.next(num));
    }

    @Override
    public DataSet next() {
        return counted(source.next());
    }

    private DataSet counted(DataSet batch) {
        checksum.add(batch);
        return batch;
    }

    @Override
    public boolean hasNext() {
        return source.hasNext();
    }

    @Override
    public int inputColumns() {
        return source.inputColumns();
    }

    @Override
    public int totalOutcomes() {
        return source.totalOutcomes();
    }

    @Override
    public boolean resetSupported() {
        return source.resetSupported();
    }

    @Override
    public boolean asyncSupported() {
        return source.asyncSupported();
    }

    @Override
    public void reset() {
        source.reset();
    }

    @Override
    public int batch() {
        return source.batch();
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        source.setPreProcessor(preProcessor);
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return source.getPreProcessor();
    }

    @Override
    public List<String> getLabels() {
        return source.getLabels();
    }
}
