package io.arrowshm.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the build's version from the jar manifest. */
final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Version.class.getPackage().getImplementationVersion();
        return new String[] {"arrow-shm " + (version == null ? "(development build)" : version)
                + ", wire-compatible with pyshmem 1.4.0"};
    }
}
