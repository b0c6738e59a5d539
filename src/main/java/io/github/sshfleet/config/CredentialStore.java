package io.github.sshfleet.config;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sshfleet.core.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Machine passwords kept encrypted at rest ({@code ~/.ssh-fleet/credentials.enc}): AES-256-GCM with a key derived from
 * the master password by PBKDF2-HMAC-SHA256 (600,000 iterations), a fresh random salt and nonce on every write, the
 * file 0600 and replaced atomically. A wrong master password fails the GCM tag check: a clear error, and the file is
 * never touched. The server reads it with {@code SSH_FLEET_MASTER_PASSWORD}; people edit it with
 * {@code java -jar ssh-fleet.jar credentials set|list|delete}.
 */
public final class CredentialStore {

    static final int ITERATIONS = 600_000;
    /** Built on first use, not when the class loads: the server touches this class at start even with no store. */
    private static final class Lazy {
        static final ObjectMapper JSON = new ObjectMapper();
        static final SecureRandom RANDOM = new SecureRandom();
    }

    /** The master password did not open the file (or the file is damaged). */
    public static final class LockedException extends Exception {
        LockedException(String message) {
            super(message);
        }
    }

    private final Path file;
    private final char[] master;
    private final Map<String, String> secrets;

    private CredentialStore(Path file, char[] master, Map<String, String> secrets) {
        this.file = file;
        this.master = master.clone();
        this.secrets = secrets;
    }

    public static Path defaultFile(Path home) {
        return home.resolve(".ssh-fleet").resolve("credentials.enc");
    }

    /** Opens (or, when the file does not exist yet, starts) a store. */
    public static CredentialStore open(Path file, char[] master) throws LockedException, IOException {
        if (master == null || master.length == 0) {
            throw new LockedException("no master password (set SSH_FLEET_MASTER_PASSWORD)");
        }
        if (!Files.exists(file)) {
            return new CredentialStore(file, master, new TreeMap<>());
        }
        Map<String, String> f = Lazy.JSON.readValue(file.toFile(), new TypeReference<Map<String, String>>() {});
        try {
            byte[] salt = Base64.getDecoder().decode(f.get("salt"));
            byte[] nonce = Base64.getDecoder().decode(f.get("nonce"));
            byte[] data = Base64.getDecoder().decode(f.get("data"));
            int iterations = Integer.parseInt(f.getOrDefault("iterations", String.valueOf(ITERATIONS)));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key(master, salt, iterations), new GCMParameterSpec(128, nonce));
            byte[] plain = c.doFinal(data);
            Map<String, String> secrets = Lazy.JSON.readValue(plain, new TypeReference<TreeMap<String, String>>() {});
            java.util.Arrays.fill(plain, (byte) 0);
            return new CredentialStore(file, master, secrets);
        } catch (AEADBadTagException e) {
            throw new LockedException("wrong master password for " + file + " (or the file was altered)");
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new LockedException("cannot read " + file + ": " + e.getMessage());
        }
    }

    public String get(String machine) {
        return secrets.get(machine.toLowerCase(java.util.Locale.ROOT));
    }

    public java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(secrets.keySet());
    }

    public void set(String machine, String secret) throws IOException {
        secrets.put(machine.toLowerCase(java.util.Locale.ROOT), secret);
        save();
    }

    public boolean delete(String machine) throws IOException {
        boolean had = secrets.remove(machine.toLowerCase(java.util.Locale.ROOT)) != null;
        if (had) {
            save();
        }
        return had;
    }

    private void save() throws IOException {
        try {
            byte[] salt = new byte[16];
            byte[] nonce = new byte[12];
            Lazy.RANDOM.nextBytes(salt);
            Lazy.RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key(master, salt, ITERATIONS), new GCMParameterSpec(128, nonce));
            byte[] data = c.doFinal(Lazy.JSON.writeValueAsBytes(secrets));
            Map<String, String> f = new TreeMap<>();
            f.put("format", "ssh-fleet credentials v1: AES-256-GCM, PBKDF2WithHmacSHA256");
            f.put("iterations", String.valueOf(ITERATIONS));
            f.put("salt", Base64.getEncoder().encodeToString(salt));
            f.put("nonce", Base64.getEncoder().encodeToString(nonce));
            f.put("data", Base64.getEncoder().encodeToString(data));
            Path dir = PrivateFiles.parentDirectory(file);
            Path tmp = Files.createTempFile(dir, ".credentials-", ".tmp", PrivateFiles.ownerOnly());
            try {
                Files.write(tmp, Lazy.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(f));
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("encryption failed: " + e.getMessage(), e);
        }
    }

    private static SecretKeySpec key(char[] master, byte[] salt, int iterations) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(master, salt, iterations, 256);
        try {
            byte[] k = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(spec)
                    .getEncoded();
            return new SecretKeySpec(k, "AES");
        } finally {
            spec.clearPassword();
        }
    }

    /** For messages: never the secrets. */
    @Override
    public String toString() {
        return "CredentialStore[" + file + ", " + secrets.size() + " machines]";
    }
}
