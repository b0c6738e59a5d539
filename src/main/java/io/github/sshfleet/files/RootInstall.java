package io.github.sshfleet.files;

import io.github.sshfleet.core.FleetException;
import io.github.sshfleet.core.FleetException.Kind;
import io.github.sshfleet.fleet.Machine;
import io.github.sshfleet.ssh.CommandResult;
import io.github.sshfleet.ssh.CommandRunner;
import io.github.sshfleet.ssh.Shell;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The root half of a sudo write or upload. The login user has already staged the bytes in a private file; root
 * copies them into a temporary file in the target's own directory, gives it the right owner and mode, and renames
 * it over the target, so a reader sees the old file or the new one, never half of one. An existing file keeps its
 * owner and mode unless new ones are asked for. Every value reaches the shell quoted; the trap removes the
 * temporary file whatever happens.
 */
final class RootInstall {

    private RootInstall() {}

    /** What the target looks like afterwards. */
    record Installed(String path, boolean existed, String mode, String owner, long size) {}

    private static final String SCRIPT = """
            fail() { printf 'ssh-fleet: %s\\n' "$2" >&2; exit "$1"; }
            if [ -n "$owner" ]; then
              u=${owner%%:*}
              id -u "$u" >/dev/null 2>&1 || fail 73 "no such user: $u"
              case $owner in *:?*) getent group "${owner#*:}" >/dev/null 2>&1 || fail 74 "no such group: ${owner#*:}";; esac
            fi
            if [ -L "$dst" ]; then t=$(readlink -f -- "$dst") && [ -n "$t" ] && dst=$t; fi
            dir=${dst%/*}; [ -n "$dir" ] || dir=/
            base=${dst##*/}
            if [ ! -d "$dir" ]; then
              [ "$mkdirs" = 1 ] || fail 70 "directory $dir does not exist (pass make_dirs: true to create it)"
              mkdir -p -- "$dir" || fail 71 "could not create directory $dir"
            fi
            [ -d "$dst" ] && fail 72 "$dst is a directory"
            [ "$noclobber" = 1 ] && [ -e "$dst" ] && fail 80 "$dst already exists (pass overwrite: true to replace it)"
            existed=0; [ -e "$dst" ] && existed=1
            if [ "$append" = 1 ]; then
              cat -- "$src" >> "$dst" || fail 75 "appending to $dst failed (disk full?)"
              [ "$existed" = 1 ] || chmod "$newmode" "$dst" || fail 77 "chmod failed"
            else
              tmp=$(mktemp "$dir/.$base.ssh-fleet-XXXXXX") || fail 78 "cannot create a file in $dir (read-only file system or disk full?)"
              trap 'rm -f -- "$tmp"' EXIT
              trap 'exit 143' HUP INT TERM
              cat -- "$src" > "$tmp" || fail 75 "writing $dst failed (disk full?)"
              if [ "$existed" = 1 ]; then
                set -- $(stat -L -c '%u %g %a' -- "$dst")
                chown "$1:$2" "$tmp" && chmod "$3" "$tmp" || fail 77 "could not copy owner and mode of $dst"
              else
                chmod "$newmode" "$tmp" || fail 77 "chmod failed"
              fi
            fi
            f=${tmp:-$dst}
            if [ -n "$owner" ]; then chown "$owner" "$f" || fail 76 "chown $owner failed"; fi
            if [ -n "$mode" ]; then chmod "$mode" "$f" || fail 77 "chmod $mode failed"; fi
            if [ "$append" != 1 ]; then mv -f -- "$tmp" "$dst" || fail 79 "could not move the file into place"; trap - EXIT; fi
            stat -c "ssh-fleet-installed $existed %a %U:%G %s" -- "$dst"
            """;

    private static final Pattern DONE = Pattern.compile("ssh-fleet-installed (\\d) (\\d+) (\\S+) (\\d+)");

    /**
     * Installs {@code staged} at {@code target} as root. {@code mode}/{@code owner} null mean "keep the existing
     * file's, or {@code newMode} and root for a new file".
     */
    // Long on purpose: the root install in its order (stage, sudo install, verify, clean up), each step undoing on
    // failure.
    static Installed install(
            CommandRunner runner,
            Machine m,
            String staged,
            String target,
            String mode,
            String newMode,
            String owner,
            boolean makeDirs,
            boolean append,
            boolean noClobber,
            Duration timeout) {
        Map<String, String> vars = new java.util.LinkedHashMap<>();
        vars.put("src", staged);
        vars.put("dst", target);
        vars.put("mode", mode == null ? "" : mode);
        vars.put("newmode", newMode);
        vars.put("owner", owner == null ? "" : owner);
        vars.put("mkdirs", makeDirs ? "1" : "0");
        vars.put("append", append ? "1" : "0");
        vars.put("noclobber", noClobber ? "1" : "0");
        vars.put("tmp", "");
        StringBuilder command = new StringBuilder();
        vars.forEach(
                (k, v) -> command.append(k).append('=').append(Shell.quote(v)).append('\n'));
        command.append(SCRIPT);
        CommandResult r = runner.run(m, command.toString(), timeout, true, 8192);
        if (r.failure() != null) {
            throw r.failure();
        }
        if (r.timedOut()) {
            throw new FleetException(
                    Kind.TIMEOUT,
                    "installing " + target + " as root on " + m.name() + " timed out; "
                            + "the target is unchanged unless the final rename ran. Check it with read_file.");
        }
        Matcher done = DONE.matcher(r.stdout());
        if (r.ok() && done.find()) {
            return new Installed(
                    target,
                    done.group(1).equals("1"),
                    "0" + done.group(2),
                    done.group(3),
                    Long.parseLong(done.group(4)));
        }
        String why = r.stderr()
                .lines()
                .filter(l -> l.startsWith("ssh-fleet: "))
                .map(l -> l.substring(11))
                .reduce((a, b) -> b)
                .orElse(r.stderr().strip());
        int exit = r.exitCode() == null ? -1 : r.exitCode();
        Kind kind = switch (exit) {
            case 70, 72, 73, 74 -> Kind.BAD_ARGUMENT;
            case 80 -> Kind.CONFLICT;
            default -> Kind.IO;
        };
        throw new FleetException(
                kind,
                (append ? "appending to " : "writing ") + target + " as root on " + m.name() + " failed: " + why
                        + (append ? "." : ". The target file was not changed."));
    }
}
