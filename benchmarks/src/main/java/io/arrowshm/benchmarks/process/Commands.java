package io.arrowshm.benchmarks.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for the child processes: JVMs on this JVM's class path (the shaded jar, or Maven's), and python3. */
public final class Commands {
    private static final String OPENS = "--add-opens=java.base/java.nio=ALL-UNNAMED";

    private Commands() {
    }

    /**
     * A JVM like this one running {@code main}. The class path is this JVM's own, which is the
     * shaded jar under {@code java -jar} and the module's full class path under Surefire.
     */
    public static List<String> java(Class<?> main, List<String> jvmOptions, List<String> args) {
        return java(Path.of(System.getProperty("java.home")), "", main, jvmOptions, args);
    }

    /**
     * {@code main} on another JDK ({@code javaHome}), with {@code extraClassPath} (may be empty)
     * after this JVM's class path.
     */
    public static List<String> java(Path javaHome, String extraClassPath, Class<?> main, List<String> jvmOptions,
                                    List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        command.add(OPENS);
        command.addAll(jvmOptions);
        command.add("-cp");
        String classPath = System.getProperty("java.class.path");
        command.add(extraClassPath.isEmpty() ? classPath : classPath + java.io.File.pathSeparator + extraClassPath);
        command.add(main.getName());
        command.addAll(args);
        return command;
    }

    /** Unbuffered python3 running a script. */
    public static List<String> python(String python, Path script, List<String> args) {
        List<String> command = new ArrayList<>(List.of(python, "-u", script.toString()));
        command.addAll(args);
        return command;
    }
}
