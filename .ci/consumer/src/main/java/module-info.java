/** The consumer as a named module, so .ci/consumer.sh can also run it on the module path. */
module example.quickstart {
    requires io.arrowshm;
}
