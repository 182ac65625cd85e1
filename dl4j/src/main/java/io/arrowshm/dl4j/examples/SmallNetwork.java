package io.arrowshm.dl4j.examples;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The network the examples, tests and benchmarks train on {@link SyntheticSamples}: 16 inputs, a
 * 32-unit ReLU layer, a 4-way softmax, Adam at 0.01. Its accuracy on samples it never saw (a test
 * epoch the producer writes after the training epochs) is the examples' measure of having learnt
 * something.
 *
 * <pre>{@code
 * MultiLayerNetwork network = SmallNetwork.create(7);
 * network.fit(iterator);
 * double accuracy = SmallNetwork.accuracy(network, iterator);   // the producer's test epoch, never trained on
 * }</pre>
 */
public final class SmallNetwork {
    /** The accuracy the examples and tests require on a test epoch, after training on 20,000 samples or more. */
    public static final double ACCURACY_BAR = 0.90;

    private SmallNetwork() {
    }

    /** A new, initialised network (weights from {@code seed}). */
    public static MultiLayerNetwork create(long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(0.01))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder().nIn(SyntheticSamples.FEATURES).nOut(32).activation(Activation.RELU)
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32)
                        .nOut(SyntheticSamples.CLASSES).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        return network;
    }

    /**
     * The share of the samples of {@code test}'s next epoch (what it hands out until its end
     * marker; a test epoch the network never trained on) that the network classifies right: the
     * argmax of its output against the argmax of the label.
     */
    public static double accuracy(MultiLayerNetwork network, DataSetIterator test) {
        if (!test.hasNext() && test.resetSupported()) {
            test.reset();
        }
        long right = 0;
        long total = 0;
        while (test.hasNext()) {
            DataSet batch = test.next();
            INDArray predicted = network.output(batch.getFeatures()).argMax(1);
            INDArray actual = batch.getLabels().argMax(1);
            for (int i = 0; i < batch.numExamples(); i++) {
                right += predicted.getLong(i) == actual.getLong(i) ? 1 : 0;
            }
            total += batch.numExamples();
        }
        if (total == 0) {
            throw new IllegalStateException("the test epoch held no sample: write one after the training epochs");
        }
        return (double) right / total;
    }
}
