package io.github.sshfleet.ssh;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.junit.jupiter.api.Test;

/** The warm-up runs every step on the ciphers a client may put first, and a failing step never escapes it. */
class ConnectWarmupTest {

    @Test
    void runsEveryStepForTheCiphersAClientPutsFirst() {
        SshClient client = SshClient.setUpDefaultClient();
        List<NamedFactory<Cipher>> preferred = SshClients.preferredCiphers(client.getCipherFactories());
        for (BuiltinCiphers first :
                List.of(BuiltinCiphers.aes128gcm, BuiltinCiphers.aes256ctr, BuiltinCiphers.cc20p1305_openssh)) {
            List<NamedFactory<Cipher>> order = new ArrayList<>(List.of(first));
            preferred.stream().filter(c -> c != first).forEach(order::add);
            client.setCipherFactories(order);
            assertTrue(ConnectWarmup.run(client), first.getName() + " first");
        }
    }

    @Test
    void aStepThatFailsIsReportedNotThrown() {
        SshClient client = SshClient.setUpDefaultClient();
        client.setCipherFactories(List.of(new NamedFactory<Cipher>() {
            @Override
            public String getName() {
                return "broken";
            }

            @Override
            public Cipher create() {
                throw new IllegalStateException("no such cipher here");
            }
        }));
        assertFalse(ConnectWarmup.run(client));
    }
}
