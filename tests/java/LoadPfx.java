import java.io.FileInputStream;
import java.io.InputStream;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;

/** A .pfx used as a Java PKCS12 keystore; the password comes from $PFX_PASSWORD (empty when unset). */
public class LoadPfx {
    public static void main(String[] args) throws Exception {
        String env = System.getenv("PFX_PASSWORD");
        char[] password = (env == null ? "" : env).toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(args[0])) {
            store.load(in, password);
        }
        for (String alias : Collections.list(store.aliases())) {
            if (!store.isKeyEntry(alias)) {
                System.out.println("certificate " + alias);
                continue;
            }
            Key key = store.getKey(alias, password);
            Certificate[] chain = store.getCertificateChain(alias);
            StringBuilder line = new StringBuilder("key " + alias + " " + key.getAlgorithm() + " chain=" + chain.length);
            for (Certificate cert : chain) {
                line.append(" | ").append(((X509Certificate) cert).getSubjectX500Principal().getName());
            }
            System.out.println(line);
        }
    }
}
