/**
 * DL4J training from arrow-shm rings: {@link io.arrowshm.dl4j.RingDataSetIterator} is a
 * {@code DataSetIterator} over samples another process writes to a ring (or to a pair of rings,
 * features and labels), {@code k} frames per {@code DataSet}, read through a named, durable cursor
 * so every sample is used exactly once per epoch-of-stream; an epoch ends at a frame whose frame
 * id is {@link io.arrowshm.dl4j.RingDataSetIterator#END_OF_EPOCH}.
 *
 * <pre>{@code
 * try (Ring samples = Ring.open("samples");
 *      RingDataSetIterator train = RingDataSetIterator.builder(samples).labelColumns(4).batchSize(64).build()) {
 *     network.fit(train, 3);
 * }
 * }</pre>
 *
 * <p>JVM flags: those of the core ({@code --add-opens=java.base/java.nio=ALL-UNNAMED}). The ND4J
 * backend is the application's choice, as for the ND4J bridge.
 */
package io.arrowshm.dl4j;
