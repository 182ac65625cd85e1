/**
 * The device seam: {@link io.arrowshm.spi.GpuSupport} (found with {@link java.util.ServiceLoader}),
 * {@link io.arrowshm.spi.DevicePayload} and {@link io.arrowshm.spi.DeviceRequest}, and
 * {@link io.arrowshm.spi.HostMemory}, the core's fault-checked host copy for implementations
 * that stage through memory of their own. The {@code gpu} module implements it with CUDA; the
 * core drives it from its publication protocol and knows nothing about CUDA.
 */
package io.arrowshm.spi;
