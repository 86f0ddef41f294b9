package dev.duplex.server.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Loads the first private key entry of a PKCS#12 key store (.p12/.pfx) and its certificate chain. */
public final class Pkcs12Files {
    private Pkcs12Files() {}

    /** @throws TlsSetupException for a missing file, a wrong password, or a store without a key entry */
    public static ServerCredentials load(Path file, char[] password) {
        KeyStore store;
        try (InputStream in = Files.newInputStream(file)) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
        } catch (NoSuchFileException e) {
            throw new TlsSetupException("The key store " + file + " does not exist", e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new TlsSetupException("Wrong password for the key store " + file
                        + " (--tls-keystore-password), or the file is damaged", e);
            }
            throw new TlsSetupException("Cannot read the key store " + file + " as PKCS#12: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new TlsSetupException("Cannot read the key store " + file + " as PKCS#12: " + e.getMessage(), e);
        }
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (!store.isKeyEntry(alias)) {
                    continue;
                }
                Key key = store.getKey(alias, password);
                Certificate[] chain = store.getCertificateChain(alias);
                if (!(key instanceof PrivateKey privateKey) || chain == null || chain.length == 0) {
                    continue;
                }
                List<X509Certificate> certificates = new ArrayList<>();
                for (Certificate c : chain) {
                    certificates.add((X509Certificate) c);
                }
                KeyMatch.require(privateKey, certificates.get(0), file + " (entry " + alias + ")", file.toString());
                return new ServerCredentials(privateKey, certificates);
            }
        } catch (UnrecoverableKeyException e) {
            throw new TlsSetupException("The key in " + file + " needs another password than the store's; "
                    + "re-export it with one password for both", e);
        } catch (GeneralSecurityException e) {
            throw new TlsSetupException("Cannot read the key in " + file + ": " + e.getMessage(), e);
        }
        throw new TlsSetupException("The key store " + file + " holds no private key with a certificate chain; "
                + "export one with e.g. openssl pkcs12 -export -in chain.pem -inkey key.pem -out server.p12");
    }
}
