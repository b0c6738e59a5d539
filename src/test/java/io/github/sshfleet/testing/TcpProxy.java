package io.github.sshfleet.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A ProxyCommand for tests, as `nc %h %p` would be but needing only bash: it relays its stdin and stdout to
 * host:port (its first two arguments) through /dev/tcp, and says where it goes on stderr.
 */
public final class TcpProxy {

    private TcpProxy() {}

    /** Writes the script as {@code file} (mode 0700); its name is what the tests find it by in the process list. */
    public static Path write(Path file) throws IOException {
        Files.writeString(file, """
                #!/bin/bash
                echo "proxy to $1:$2 for $3" >&2
                exec 3<>"/dev/tcp/$1/$2" || exit 1
                cat <&3 &
                cat >&3
                kill $! 2>/dev/null
                """);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }
}
