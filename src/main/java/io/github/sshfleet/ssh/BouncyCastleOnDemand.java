package io.github.sshfleet.ssh;

import java.security.Provider;
import java.security.Security;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.util.security.SecurityProviderChoice;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.jcajce.provider.asymmetric.EdEC;
import org.bouncycastle.jcajce.provider.config.ConfigurableProvider;
import org.bouncycastle.jcajce.provider.util.AsymmetricKeyInfoConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JCA provider named "BC" that MINA finds registered: BouncyCastle's EdEC algorithms (Ed25519 and X25519, with
 * their 448-bit siblings) at once, through BouncyCastle's own EdEC mappings, and anything else from a full
 * {@link BouncyCastleProvider} built the first time it is asked for.
 * <p>
 * Why: a full BouncyCastleProvider registers thousands of algorithms when it is constructed, about 150 ms of CPU plus
 * the JIT work that filling its maps sets off, and MINA builds it on the way to the first connect, which needs only
 * two things from it: ed25519 (the JDK's Ed25519 keys are not the type MINA expects) and X25519 (BouncyCastle's is 1.3x
 * faster than the JDK's on a cold JVM and 2.3x warm, 0.20 vs 0.47 ms per exchange). {@link #install} also tells MINA to
 * ask BouncyCastle for those only, so everything else (SHA-2, RSA, ECDSA, AES, HMAC) comes from the JDK's providers,
 * which the JVM runs on CPU intrinsics. An encrypted PKCS#8 key file, which MINA decrypts with
 * BouncyCastle by name, is the one common case that still builds the full provider, when it is read.
 */
final class BouncyCastleOnDemand extends Provider implements ConfigurableProvider {

    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(BouncyCastleOnDemand.class);

    /** MINA's per-provider settings; values are sorted lists (MINA looks names up by binary search). */
    private static final String MINA_BC = "org.apache.sshd.security.provider.BC.";

    private final transient Map<ASN1ObjectIdentifier, AsymmetricKeyInfoConverter> converters =
            new ConcurrentHashMap<>();
    private transient volatile Provider full;

    BouncyCastleOnDemand() {
        super(BouncyCastleProvider.PROVIDER_NAME, "on-demand", "BouncyCastle: Edwards curves now, the rest on demand");
        new EdEC.Mappings().configure(this);
    }

    /**
     * Registers this provider and MINA's choice of it, once, before MINA's security set-up runs. If MINA's set-up
     * already ran (something in this JVM used MINA's crypto first), it is left as it is: MINA then has the full
     * provider, which only costs the speed-up.
     */
    static synchronized void install() {
        if (SecurityUtils.isRegistrationCompleted()) {
            return;
        }
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleOnDemand()); // last: the JDK's providers answer first
        }
        System.setProperty(MINA_BC + "supportAll", "none");
        System.setProperty(MINA_BC + "Signature", "Ed25519,EdDSA");
        System.setProperty(MINA_BC + "KeyFactory", "Ed25519,EdDSA,X25519");
        System.setProperty(MINA_BC + "KeyPairGenerator", "Ed25519,EdDSA,X25519");
        System.setProperty(MINA_BC + "KeyAgreement", "X25519");
        SecurityUtils.isBouncyCastleRegistered(); // runs MINA's registration now, with the settings above
        // MINA makes a registered BouncyCastle the default for what no registrar claims; the JDK's order is better.
        SecurityUtils.setDefaultProviderChoice(SecurityProviderChoice.EMPTY);
    }

    @Override
    public Service getService(String type, String algorithm) {
        Service mine = super.getService(type, algorithm);
        return mine != null ? mine : full(type + "." + algorithm).getService(type, algorithm);
    }

    @Override
    public Set<Service> getServices() {
        return full("the list of all services").getServices();
    }

    /** Whether the full provider was built (for tests and the debug log). */
    boolean fullBuilt() {
        return full != null;
    }

    private Provider full(String why) {
        Provider p = full;
        if (p == null) {
            synchronized (this) {
                p = full;
                if (p == null) {
                    log.debug("building the full BouncyCastle provider for {}", why);
                    p = new BouncyCastleProvider();
                    full = p;
                }
            }
        }
        return p;
    }

    // ConfigurableProvider: what BouncyCastle's mapping classes call to register their algorithms.

    @Override
    public void setParameter(String parameterName, Object parameter) {
        // EdEC sets no parameters (they are for EC and DH defaults, which the full provider keeps)
    }

    @Override
    public void addAlgorithm(String key, String value) {
        if (containsKey(key)) {
            throw new IllegalStateException("duplicate provider key (" + key + ")");
        }
        put(key, value);
    }

    @Override
    public void addAlgorithm(String key, String value, Map<String, String> attributes) {
        addAlgorithm(key, value);
        addAttributes(key, attributes);
    }

    @Override
    public void addAlgorithm(String type, ASN1ObjectIdentifier oid, String className) {
        addAlgorithm(type + "." + oid, className);
        addAlgorithm(type + ".OID." + oid, className);
    }

    @Override
    public void addAlgorithm(String type, ASN1ObjectIdentifier oid, String className, Map<String, String> attributes) {
        addAlgorithm(type, oid, className);
        addAttributes(type + "." + oid, attributes);
        addAttributes(type + ".OID." + oid, attributes);
    }

    @Override
    public boolean hasAlgorithm(String type, String name) {
        return containsKey(type + "." + name) || containsKey("Alg.Alias." + type + "." + name);
    }

    @Override
    public void addKeyInfoConverter(ASN1ObjectIdentifier oid, AsymmetricKeyInfoConverter converter) {
        converters.put(oid, converter);
    }

    @Override
    public AsymmetricKeyInfoConverter getKeyInfoConverter(ASN1ObjectIdentifier oid) {
        return converters.get(oid);
    }

    @Override
    public void addAttributes(String key, Map<String, String> attributes) {
        attributes.forEach((name, value) -> put(key + " " + name, value));
    }
}
