/**
 * The DL4J training example: {@link io.arrowshm.dl4j.examples.RingTraining} trains
 * {@link io.arrowshm.dl4j.examples.SmallNetwork} on every sample a
 * {@link io.arrowshm.dl4j.examples.SampleProducer} process writes to a ring (a separable problem,
 * {@link io.arrowshm.dl4j.examples.SyntheticSamples}), and both print the count and
 * {@link io.arrowshm.dl4j.examples.SampleChecksum} of the samples they handled.
 *
 * <pre>{@code
 * dl4j/example.sh 20000 2        # two epochs of 20,000 samples, producer -> ring -> DL4J
 * }</pre>
 */
package io.arrowshm.dl4j.examples;
