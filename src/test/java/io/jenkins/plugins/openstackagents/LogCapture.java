package io.jenkins.plugins.openstackagents;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What the plugin's loggers say while a test runs: attach with {@link #start}, detach with {@link #close}. */
public final class LogCapture extends Handler implements AutoCloseable {

    private static final Logger PLUGIN = Logger.getLogger("io.jenkins.plugins.openstackagents");

    private final List<LogRecord> records = new ArrayList<>();

    private LogCapture() {
    }

    public static LogCapture start() {
        LogCapture c = new LogCapture();
        PLUGIN.addHandler(c);
        return c;
    }

    @Override
    public synchronized void publish(LogRecord r) {
        records.add(r);
    }

    public synchronized void clear() {
        records.clear();
    }

    /** The lines logged, each as its level and its message. */
    public synchronized List<String> lines() {
        return records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList();
    }

    public synchronized long warnings() {
        return records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue()).count();
    }

    public synchronized long containing(String text) {
        return records.stream().filter(r -> r.getMessage() != null && r.getMessage().contains(text)).count();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        PLUGIN.removeHandler(this);
    }
}
