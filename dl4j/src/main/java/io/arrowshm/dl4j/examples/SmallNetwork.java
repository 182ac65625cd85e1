package io.arrowshm.dl4j.examples;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The network the examples, tests and benchmarks train on {@link SyntheticSamples}: 16 inputs, a
 * 32-unit ReLU layer, a 4-way softmax, Adam at 0.01. Its accuracy on samples it never saw is the
 * examples' measure of having learnt something.
 *
 * <pre>{@code
 * MultiLayerNetwork network = SmallNetwork.create(7);
 * network.fit(iterator);
 * double accuracy = SmallNetwork.accuracy(network, new SyntheticSamples(42), 1_000_000_000L, 2000);
 * }</pre>
 */
public final class SmallNetwork {
    /** The accuracy the examples and tests require on held-out samples after one epoch of 20,000. */
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

    /** The share of samples {@code first .. first + count - 1} of {@code problem} the network classifies right. */
    public static double accuracy(MultiLayerNetwork network, SyntheticSamples problem, long first, int count) {
        float[] sample = new float[SyntheticSamples.WIDTH];
        float[][] features = new float[count][SyntheticSamples.FEATURES];
        int[] classes = new int[count];
        for (int i = 0; i < count; i++) {
            problem.sample(first + i, sample);
            System.arraycopy(sample, 0, features[i], 0, SyntheticSamples.FEATURES);
            for (int c = 0; c < SyntheticSamples.CLASSES; c++) {
                if (sample[SyntheticSamples.FEATURES + c] == 1f) {
                    classes[i] = c;
                }
            }
        }
        INDArray predicted = network.output(Nd4j.create(features)).argMax(1);
        int right = 0;
        for (int i = 0; i < count; i++) {
            right += predicted.getInt(i) == classes[i] ? 1 : 0;
        }
        return (double) right / count;
    }
}
