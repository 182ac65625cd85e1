package io.arrowshm.gpu;

/**
 * The few driver-API calls the probe makes, behind an interface so that tests can stand in
 * for a driver that is missing, broken or present.
 */
interface DriverBinding {

    /** What {@code cuInit(0)}, {@code cuDriverGetVersion} and {@code cuDeviceGetCount} said. */
    record Facts(int initResult, String initResultName, int driverVersion, int deviceCount) {
    }

    /** Makes the calls; may throw anything a native binding throws (linkage errors included). */
    Facts query();
}
