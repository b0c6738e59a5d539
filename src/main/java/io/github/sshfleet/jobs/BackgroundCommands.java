package io.github.sshfleet.jobs;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.ssh.BoundedOutput;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.ssh.RunningCommand;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Commands that outlived their call (exec past async_after) or were started in the background
 * (execute_command_async), by id ("cmd-7"). Finished ones move to a bounded history, newest first. Each command
 * remembers how far its output was read, so a status call returns just what is new.
 */
public final class BackgroundCommands implements AutoCloseable {

    static final int HISTORY = 100;

    /** One tracked command and its read positions. */
    public static final class Entry {
        private final String id;
        private final RunningCommand command;
        private long stdoutRead;
        private long stderrRead;

        Entry(String id, RunningCommand command) {
            this.id = id;
            this.command = command;
        }

        public String id() {
            return id;
        }

        public RunningCommand command() {
            return command;
        }

        /** Output since the last read (or since the given offsets), and the offsets to continue from. */
        public synchronized Delta read(Long since) {
            long outFrom = since != null ? since : stdoutRead;
            long errFrom = since != null ? 0 : stderrRead;
            BoundedOutput.Since out = command.stdout().since(outFrom);
            BoundedOutput.Since err = command.stderr().since(errFrom);
            stdoutRead = out.nextOffset();
            stderrRead = err.nextOffset();
            return new Delta(command.scrub(out.text()), command.scrub(err.text()), out.nextOffset(), err.nextOffset());
        }

        /** running / exited / timed_out / interrupted / killed / failed. */
        public String state() {
            if (!command.finished()) {
                return "running";
            }
            CommandResult r = command.result();
            if (command.interruptedBy() != null) {
                return "interrupted";
            }
            if (r.timedOut()) {
                return "timed_out";
            }
            if (r.failure() != null) {
                return "failed";
            }
            return r.exitCode() != null ? "exited" : "killed";
        }
    }

    /** New output of one read. */
    public record Delta(String stdout, String stderr, long stdoutOffset, long stderrOffset) {}

    private final Map<String, Entry> running = new ConcurrentHashMap<>();
    private final Deque<Entry> history = new ArrayDeque<>();
    private final AtomicInteger ids = new AtomicInteger();

    /** Starts tracking; the id is returned to the agent. */
    public Entry track(RunningCommand c) {
        Entry e = new Entry("cmd-" + ids.incrementAndGet(), c);
        running.put(e.id(), e);
        c.onFinish(() -> retire(e)); // in the order they finish: the history stays newest first
        return e;
    }

    public Entry get(String id) {
        Entry e = running.get(id);
        if (e != null) {
            return e;
        }
        synchronized (history) {
            for (Entry h : history) {
                if (h.id().equals(id)) {
                    return h;
                }
            }
        }
        throw new FleetException(
                Kind.NOT_FOUND,
                "no command " + FleetException.quote(id) + ". Running: "
                        + (running.isEmpty()
                                ? "none"
                                : String.join(
                                        ", ", running.keySet().stream().sorted().toList())) + ". Finished ones are in "
                        + "list_command_history (the last " + HISTORY + ").");
    }

    /** Running commands, oldest first. */
    public List<Entry> running() {
        List<Entry> l = new ArrayList<>(running.values());
        l.sort((a, b) -> a.command().started().compareTo(b.command().started()));
        return l;
    }

    /** Finished commands, newest first. */
    public List<Entry> history(int limit) {
        synchronized (history) {
            return history.stream().limit(limit).toList();
        }
    }

    private void retire(Entry e) {
        if (running.remove(e.id()) != null) {
            synchronized (history) {
                history.addFirst(e);
                while (history.size() > HISTORY) {
                    history.removeLast();
                }
            }
        }
    }

    @Override
    public void close() {
        for (Entry e : running.values()) {
            e.command().signal("TERM"); // no waiting at shutdown; the sessions close right after
        }
    }
}
