package io.arrowshm.dl4j.examples;

import java.util.List;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * A {@link DataSetIterator} that passes every call on to another; subclasses override the calls
 * they watch ({@link ChecksumIterator} counts what {@code next} hands out).
 *
 * <pre>{@code
 * DataSetIterator logged = new ForwardingIterator(source) {
 *     @Override
 *     public DataSet next() {
 *         DataSet batch = super.next();
 *         System.out.println(batch.numExamples());
 *         return batch;
 *     }
 * };
 * }</pre>
 */
public class ForwardingIterator implements DataSetIterator {
    private static final long serialVersionUID = 1L;
    private final DataSetIterator source;

    public ForwardingIterator(DataSetIterator source) {
        this.source = source;
    }

    @Override
    public DataSet next(int num) {
        return source.next(num);
    }

    @Override
    public DataSet next() {
        return source.next();
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
