/**
 * Helpers the project's own programs share (the CLI, the examples, the benchmarks) and the
 * core uses itself: not part of the stream API. They live here, public, because those modules
 * may use the core's public packages only, never {@code io.arrowshm.internal}.
 */
package io.arrowshm.tools;
