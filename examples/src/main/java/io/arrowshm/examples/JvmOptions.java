package io.arrowshm.examples;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The JVM options a program that uses arrow-shm runs with, the ones the README tells users to pass,
 * so that nothing is printed on stderr on JDK 17 to 25:
 *
 * <ul>
 *   <li>{@code --add-opens=java.base/java.nio=ALL-UNNAMED}: Arrow reads direct-buffer internals
 *       (every JDK; a jar's {@code Add-Opens} manifest entry does the same for {@code java -jar});</li>
 *   <li>{@code --enable-native-access=ALL-UNNAMED}: JNA loads its native library (JDK 22+ warns
 *       without it; JDK 17 accepts it silently; the manifest's {@code Enable-Native-Access} for
 *       {@code java -jar});</li>
 *   <li>{@code --sun-misc-unsafe-memory-access=allow}: Arrow's memory access through
 *       {@code sun.misc.Unsafe} (JDK 24+ warns without it; JDK 17 to 22 reject the option, so it
 *       is passed only from 23 on). No manifest entry exists for it.</li>
 * </ul>
 */
public final class JvmOptions {
    /** The system property behind {@code --sun-misc-unsafe-memory-access}. */
    private static final String UNSAFE_PROPERTY = "sun.misc.unsafe.memory.access";

    private JvmOptions() {
    }

    /**
     * The options for a JVM started with this JVM's {@code java}: the three above, as far as this
     * JDK knows them.
     *
     * @return the options, in the order a command line takes them
     */
    public static List<String> forThisJdk() {
        List<String> options = new ArrayList<>(List.of(
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) {
            options.add("--sun-misc-unsafe-memory-access=allow");
        }
        return options;
    }

    /**
     * A command line that runs {@code mainClass} in a new JVM of this JDK, on this JVM's class path,
     * with {@link #forThisJdk()}.
     *
     * @param mainClass the class whose {@code main} the new JVM runs
     * @param jvmOptions further JVM options (e.g. {@code -Xmx256m}), before the main class
     * @param args the program's arguments
     * @return the command line
     */
    public static List<String> javaCommand(Class<?> mainClass, List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(forThisJdk());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(args);
        return command;
    }

    /**
     * Whether this JVM would print JDK 24+'s {@code sun.misc.Unsafe} warning once Arrow starts:
     * a JDK 24 or later, started without {@code --sun-misc-unsafe-memory-access} (whatever its value).
     *
     * @return true when {@link #relaunched} should run the program in a JVM started with the option
     */
    public static boolean wouldWarn() {
        return Runtime.version().feature() >= 24 && System.getProperty(UNSAFE_PROPERTY) == null;
    }

    /**
     * Runs {@code mainClass} with {@code args} again in a child JVM started with {@link #forThisJdk()}
     * and this JVM's own options (e.g. {@code -Xmx}), sharing this process's stdin, stdout and
     * stderr, and returns its exit status. {@code java -jar} cannot grant
     * {@code --sun-misc-unsafe-memory-access} from the jar's manifest, so an executable jar started
     * on JDK 24+ without it calls this before it touches Arrow. If this JVM is stopped (Ctrl-C,
     * SIGTERM), the child gets the signal too and this JVM waits a few seconds for it to finish.
     *
     * @param mainClass the class whose {@code main} runs in the child
     * @param args the program's arguments
     * @return the child's exit status
     * @throws Exception if the child cannot be started, or this thread is interrupted
     */
    public static int relaunched(Class<?> mainClass, String... args) throws Exception {
        List<String> own = new ArrayList<>(ManagementFactory.getRuntimeMXBean().getInputArguments());
        own.removeIf(option -> option.contains("jdwp")); // a debugger's port cannot be bound twice
        Process child = new ProcessBuilder(javaCommand(mainClass, own, List.of(args))).inheritIO().start();
        Thread stop = new Thread(() -> {
            try {
                if (!child.waitFor(200, TimeUnit.MILLISECONDS)) {
                    child.destroy();
                    child.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "arrow-shm-relaunch-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        int status = child.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException shuttingDown) {
            // A signal stopped us: the hook is running (it has stopped the child) and the JVM exits with the
            // signal's status once it returns; nothing to undo, and nothing to print.
        }
        return status;
    }
}
