package io.github.sshfleet.files;

/** Told how a transfer is going; called from the transferring thread, often: implementations throttle. */
@FunctionalInterface
public interface TransferProgress {

    TransferProgress NONE = (done, total, file) -> {};

    /** {@code total} is -1 when unknown. */
    void update(long bytesDone, long bytesTotal, String currentFile);
}
