package io.github.sshfleet.ssh;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.kex.extension.KexExtensionHandler;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * Which host-key algorithms a connection offers: the certificate ones (MINA's default puts them first) only to a
 * host that known_hosts has an @cert-authority line for. Any other host is asked for its bare key, so a host that
 * gained a certificate still matches the key pinned for it. Everything else is MINA's own handler, unchanged.
 */
final class CertificateProposal implements KexExtensionHandler {

    private final KexExtensionHandler delegate;
    private final HostKeyVerifier verifier;

    CertificateProposal(KexExtensionHandler delegate, HostKeyVerifier verifier) {
        this.delegate = delegate != null ? delegate : new KexExtensionHandler() {};
        this.verifier = verifier;
    }

    @Override
    public void handleKexInitProposal(Session session, boolean initiator, Map<KexProposalOption, String> proposal)
            throws Exception {
        delegate.handleKexInitProposal(session, initiator, proposal);
        String offered = proposal.get(KexProposalOption.SERVERKEYS);
        if (!initiator || offered == null || verifier.hasAuthorityFor(HostKeyVerifier.target(session))) {
            return;
        }
        String bare = withoutCertificates(offered);
        if (!bare.isEmpty()) {
            proposal.put(KexProposalOption.SERVERKEYS, bare);
        }
    }

    static String withoutCertificates(String algorithms) {
        return Arrays.stream(algorithms.split(","))
                .filter(a -> !KeyUtils.isCertificateAlgorithm(a))
                .collect(Collectors.joining(","));
    }

    @Override
    public boolean isKexExtensionsAvailable(Session session, AvailabilityPhase phase) throws java.io.IOException {
        return delegate.isKexExtensionsAvailable(session, phase);
    }

    @Override
    public void handleKexExtensionNegotiation(
            Session session,
            KexProposalOption option,
            String nValue,
            Map<KexProposalOption, String> c2sOptions,
            String cValue,
            Map<KexProposalOption, String> s2cOptions,
            String sValue)
            throws Exception {
        delegate.handleKexExtensionNegotiation(session, option, nValue, c2sOptions, cValue, s2cOptions, sValue);
    }

    @Override
    public void sendKexExtensions(Session session, KexPhase phase) throws Exception {
        delegate.sendKexExtensions(session, phase);
    }

    @Override
    public boolean handleKexExtensionsMessage(Session session, Buffer buffer) throws Exception {
        return delegate.handleKexExtensionsMessage(session, buffer);
    }

    @Override
    public boolean handleKexCompressionMessage(Session session, Buffer buffer) throws Exception {
        return delegate.handleKexCompressionMessage(session, buffer);
    }

    @Override
    public boolean handleKexExtensionRequest(Session session, int index, int count, String name, byte[] data)
            throws Exception {
        return delegate.handleKexExtensionRequest(session, index, count, name, data);
    }
}
