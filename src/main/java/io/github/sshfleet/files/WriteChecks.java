package io.github.sshfleet.files;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import java.util.Optional;
import org.apache.sshd.sftp.client.SftpClient.Attributes;

/**
 * What every write as the login user checks on what it found before anything is staged: the streaming path
 * ({@link RemoteWriter}) looks one request at a time, the short one ({@link SmallWrite}) in one batch; both decide
 * here, in the same words.
 */
final class WriteChecks {

    private WriteChecks() {}

    /** The target is not a directory, and an existing file is only replaced when overwrite was asked for. */
    static void target(String host, String path, Optional<Attributes> existing, boolean overwrite) {
        if (existing.isPresent() && existing.get().isDirectory()) {
            throw FleetException.badArgument(path + " on " + host + " is a directory; give the full file path.");
        }
        if (existing.isPresent() && !overwrite) {
            throw new FleetException(
                    Kind.CONFLICT, path + " already exists on " + host + "; pass overwrite: true to replace it.");
        }
    }

    /** The parent directory is there (made, with make_dirs, when it is not) and is a directory. */
    static void parent(RemoteFs fs, String dir, Optional<Attributes> parent, boolean makeDirs) {
        if (parent.isEmpty()) {
            if (!makeDirs) {
                throw new FleetException(
                        Kind.NOT_FOUND,
                        "directory " + dir + " does not exist on "
                                + fs.machine().name() + "; pass make_dirs: true to create it.");
            }
            fs.mkdirs(dir, 0755);
        } else if (!parent.get().isDirectory()) {
            throw FleetException.badArgument(dir + " on " + fs.machine().name() + " is not a directory.");
        }
    }
}
