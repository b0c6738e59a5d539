package io.github.sshfleet.ssh;

import org.apache.sshd.client.session.ClientSession;

/** A pooled session for one machine ({@link ConnectionPool#acquire}), with a channel permit unless it is a
 * session-only lease ({@link ConnectionPool#acquireSession}). Close it when done; the session stays pooled. */
public final class Lease implements AutoCloseable {
    private final HostSlot<ClientSession> slot;
    private final ClientSession session;
    private final boolean permit;
    private boolean released;

    Lease(HostSlot<ClientSession> slot, ClientSession session, boolean permit) {
        this.slot = slot;
        this.session = session;
        this.permit = permit;
    }

    public ClientSession session() {
        return session;
    }

    /** The session proved dead (channel open failed): drop it so the next acquire reconnects. */
    public void evict() {
        slot.evict(session);
    }

    @Override
    public synchronized void close() {
        if (!released) {
            released = true;
            if (permit) {
                slot.returnPermit();
            }
            slot.exit();
        }
    }
}
