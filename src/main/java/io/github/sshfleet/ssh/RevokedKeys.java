package io.github.sshfleet.ssh;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * The host keys {@code revoked_host_keys} (OpenSSH's RevokedHostKeys) refuses: either an OpenSSH Key Revocation List
 * (the binary format of ssh-keygen -k, PROTOCOL.krl) or a text file of public keys, one per line. Judged as ssh does:
 * a certificate is revoked when the CA that signed it is, when its serial or key id is revoked for that CA, or when
 * its key is; a plain key when it is listed or its SHA1/SHA256 fingerprint is. A file that is not a valid KRL and
 * starts like one is refused whole by the caller: a revocation list that cannot be read accepts nothing.
 */
final class RevokedKeys {

    private static final byte[] MAGIC = "SSHKRL\n\0".getBytes(StandardCharsets.US_ASCII);

    /** Beyond this the file is refused rather than read into memory (real KRLs are kilobytes). */
    private static final long MAX_BYTES = 64L * 1024 * 1024;

    /** Revocations of certificates signed by one CA ({@code ca} null: by any CA). */
    private record CaSection(PublicKey ca, List<long[]> ranges, List<Bitmap> bitmaps, Set<String> ids) {}

    /** Serials {@code offset + i} for every bit i set in {@code bits}. */
    private record Bitmap(long offset, BigInteger bits) {}

    private final Path file;
    private final String summary;
    private final Set<String> blobs = new HashSet<>();
    private final Set<String> sha1 = new HashSet<>();
    private final Set<String> sha256 = new HashSet<>();
    private final List<CaSection> sections = new ArrayList<>();
    private final List<Integer> unreadLines = new ArrayList<>();

    private RevokedKeys(Path file, byte[] data) throws IOException {
        this.file = file;
        if (data.length >= MAGIC.length && Arrays.equals(Arrays.copyOf(data, MAGIC.length), MAGIC)) {
            try {
                summary = krl(new ByteArrayBuffer(data));
            } catch (IOException | RuntimeException | java.security.GeneralSecurityException e) {
                throw new IOException("not a valid KRL (" + e.getMessage() + ")", e);
            }
        } else {
            text(new String(data, StandardCharsets.UTF_8));
            summary = "key list: " + blobs.size() + " keys"
                    + (unreadLines.isEmpty() ? "" : ", lines not read as keys: " + unreadLines);
        }
    }

    /** Reads {@code file}; IOException when it cannot be read or is a KRL that does not parse. */
    static RevokedKeys read(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException("larger than " + MAX_BYTES / (1024 * 1024) + " MiB");
        }
        return new RevokedKeys(file, Files.readAllBytes(file));
    }

    Path file() {
        return file;
    }

    /** What the file holds, for --check-config ("KRL version 3: 2 keys, 1 CA section"). */
    String summary() {
        return summary;
    }

    /** Line numbers of a text list that are neither keys, comments nor blank (ssh skips them too). */
    List<Integer> unreadLines() {
        return List.copyOf(unreadLines);
    }

    /** Why {@code key} is revoked ("its CA ... is revoked in F"), or null when it is not. */
    String reason(PublicKey key) {
        if (key instanceof OpenSshCertificate cert) {
            String how = plain(cert.getCaPubKey());
            if (how != null) {
                return "the CA that signed it (" + HostCertificates.fingerprint(cert.getCaPubKey()) + ") is revoked "
                        + how + " in " + file;
            }
            how = certificate(cert);
            if (how != null) {
                return how + " in " + file;
            }
            key = cert.getCertPubKey();
        }
        String how = plain(key);
        return how == null ? null : "its key is revoked " + how + " in " + file;
    }

    private String plain(PublicKey key) {
        byte[] blob = blob(key);
        if (blobs.contains(Base64.getEncoder().encodeToString(blob))) {
            return "(listed)";
        }
        if (sha1.contains(digest("SHA-1", blob))) {
            return "(by SHA1 fingerprint)";
        }
        if (sha256.contains(digest("SHA-256", blob))) {
            return "(by SHA256 fingerprint)";
        }
        return null;
    }

    private String certificate(OpenSshCertificate cert) {
        long serial = cert.getSerial();
        for (CaSection s : sections) {
            if (s.ca() != null && !KeyUtils.compareKeys(s.ca(), cert.getCaPubKey())) {
                continue;
            }
            // Serial 0 is what a CA writes when it numbers nothing; ssh never revokes by it.
            if (serial != 0 && revokedSerial(s, serial)) {
                return "its serial " + Long.toUnsignedString(serial) + " is revoked";
            }
            if (s.ids().contains(cert.getId())) {
                return "its key id '" + cert.getId() + "' is revoked";
            }
        }
        return null;
    }

    private static boolean revokedSerial(CaSection s, long serial) {
        for (long[] r : s.ranges()) {
            if (Long.compareUnsigned(serial, r[0]) >= 0 && Long.compareUnsigned(serial, r[1]) <= 0) {
                return true;
            }
        }
        for (Bitmap b : s.bitmaps()) {
            long i = serial - b.offset();
            if (Long.compareUnsigned(serial, b.offset()) >= 0
                    && i >= 0
                    && i < b.bits().bitLength()
                    && b.bits().testBit((int) i)) {
                return true;
            }
        }
        return false;
    }

    // Long on purpose: one case per KRL section type, in the order PROTOCOL.krl lists them.
    private String krl(ByteArrayBuffer in) throws IOException, java.security.GeneralSecurityException {
        in.rpos(MAGIC.length);
        long format = in.getUInt();
        if (format != 1) {
            throw new IllegalArgumentException("format version " + format + ", only 1 is known");
        }
        long version = in.getLong();
        in.getLong(); // generated_date
        in.getLong(); // flags: none are defined
        in.getBytes(); // reserved
        in.getBytes(); // comment
        int signatures = 0;
        while (in.available() > 0) {
            int type = in.getUByte();
            ByteArrayBuffer body = new ByteArrayBuffer(in.getBytes());
            if (signatures > 0 && type != 4) {
                throw new IllegalArgumentException("a section after the signature");
            }
            switch (type) {
                case 1 -> sections.add(caSection(body));
                case 2 -> explicitKeys(body);
                case 3 -> strings(body, sha1, true);
                case 5 -> strings(body, sha256, true);
                // Signed KRLs: ssh never checked the signature and 9.4 refuses them; its key vouches for nothing here.
                case 4 -> signatures++;
                case 255 -> extension(body, "KRL");
                default -> throw new IllegalArgumentException("unknown section type " + type);
            }
        }
        return "KRL version " + Long.toUnsignedString(version) + ": " + blobs.size() + " keys, "
                + (sha1.size() + sha256.size()) + " fingerprints, " + sections.size() + " CA sections";
    }

    private static CaSection caSection(ByteArrayBuffer in) throws IOException, java.security.GeneralSecurityException {
        byte[] caBlob = in.getBytes();
        PublicKey ca = caBlob.length == 0 ? null : new ByteArrayBuffer(caBlob).getRawPublicKey();
        in.getBytes(); // reserved
        List<long[]> ranges = new ArrayList<>();
        List<Bitmap> bitmaps = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        while (in.available() > 0) {
            int type = in.getUByte();
            ByteArrayBuffer body = new ByteArrayBuffer(in.getBytes());
            switch (type) {
                case 0x20 -> serials(body, ranges);
                case 0x21 -> ranges.add(new long[] {body.getLong(), body.getLong()});
                case 0x22 -> bitmaps.add(new Bitmap(body.getLong(), new BigInteger(1, body.getMPIntAsBytes())));
                case 0x23 -> strings(body, ids, false);
                case 0x39 -> extension(body, "certificate");
                default -> throw new IllegalArgumentException("unknown certificate section type " + type);
            }
        }
        return new CaSection(ca, ranges, bitmaps, ids);
    }

    private void explicitKeys(ByteArrayBuffer body) throws IOException, java.security.GeneralSecurityException {
        while (body.available() > 0) {
            PublicKey k = new ByteArrayBuffer(body.getBytes()).getRawPublicKey();
            blobs.add(Base64.getEncoder().encodeToString(blob(k)));
        }
    }

    /** Every string of a section: fingerprints as base64 ({@code binary}), key ids as text. */
    private static void strings(ByteArrayBuffer body, Set<String> into, boolean binary) {
        while (body.available() > 0) {
            into.add(binary ? Base64.getEncoder().encodeToString(body.getBytes()) : body.getString());
        }
    }

    private static void serials(ByteArrayBuffer body, List<long[]> ranges) {
        while (body.available() > 0) {
            long serial = body.getLong();
            ranges.add(new long[] {serial, serial});
        }
    }

    /** A non-critical extension (the Bloom filters) is skipped; a critical one this reader lacks fails the file. */
    private static void extension(ByteArrayBuffer in, String where) {
        String name = in.getString();
        if (in.getBoolean()) {
            throw new IllegalArgumentException("critical " + where + " extension '" + name + "' is not supported");
        }
    }

    private void text(String content) {
        String[] lines = content.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                PublicKey k = PublicKeyEntry.parsePublicKeyEntry(line)
                        .resolvePublicKey(null, java.util.Map.of(), PublicKeyEntryResolver.IGNORING);
                if (k instanceof OpenSshCertificate c) {
                    k = c.getCertPubKey(); // a certificate line revokes its key, as ssh reads it
                }
                if (k == null) {
                    unreadLines.add(i + 1);
                } else {
                    blobs.add(Base64.getEncoder().encodeToString(blob(k)));
                }
            } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
                unreadLines.add(i + 1);
            }
        }
    }

    /** The SSH wire form of a plain key, as KRL entries and fingerprints are taken over it. */
    private static byte[] blob(PublicKey key) {
        ByteArrayBuffer b = new ByteArrayBuffer();
        b.putRawPublicKey(key);
        return b.getCompactData();
    }

    private static String digest(String algorithm, byte[] blob) {
        try {
            return Base64.getEncoder()
                    .encodeToString(MessageDigest.getInstance(algorithm).digest(blob));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }
}
