import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * One TLS handshake as a Java (PSDK-style) application makes it, with the JDK's own JSSE.
 *
 * client PORT SERVER_NAME [credentials]   connect to 127.0.0.1:PORT, verify SERVER_NAME (HTTPS rules)
 * server [--need-client-auth] [credentials]  listen on 127.0.0.1, print "LISTENING port", serve one connection
 * credentials: --pem CERT KEY | --keystore FILE   and   --ca CA_CERT | --truststore FILE
 * Store passwords come from the environment (KEYSTORE_PASSWORD, TRUSTSTORE_PASSWORD), never from arguments.
 * A PEM key is read as a PSDK application reading files does: the Base64 body into PKCS8EncodedKeySpec.
 * Prints "OK protocol cipher peer=<subject>" or "FAIL" and the exception chain, one line each.
 */
public class TlsPeer {
    public static void main(String[] args) {
        try {
            run(args);
        } catch (Exception e) {
            System.out.println("FAIL");
            for (Throwable t = e; t != null; t = t.getCause()) {
                System.out.println("exception " + t);
            }
            System.exit(1);
        }
    }

    static void run(String[] args) throws Exception {
        String mode = args[0];
        int i = 1;
        int port = 0;
        String serverName = null;
        if (mode.equals("client")) {
            port = Integer.parseInt(args[1]);
            serverName = args[2];
            i = 3;
        }
        boolean needClientAuth = false;
        KeyStore keys = null;
        char[] keyPassword = new char[0];
        KeyStore trust = null;
        for (; i < args.length; i++) {
            switch (args[i]) {
                case "--need-client-auth": needClientAuth = true; break;
                case "--pem":
                    keyPassword = "in-memory".toCharArray();
                    keys = pemKeyStore(args[++i], args[++i], keyPassword);
                    break;
                case "--keystore":
                    keyPassword = password("KEYSTORE_PASSWORD");
                    keys = load(args[++i], keyPassword);
                    break;
                case "--ca": trust = caStore(args[++i]); break;
                case "--truststore": trust = load(args[++i], password("TRUSTSTORE_PASSWORD")); break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        SSLContext context = context(keys, keyPassword, trust);
        if (mode.equals("client")) {
            client(context, port, serverName);
        } else {
            server(context, needClientAuth);
        }
    }

    static char[] password(String variable) {
        String value = System.getenv(variable);
        return value == null ? new char[0] : value.toCharArray();
    }

    static KeyStore load(String file, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(file)) {
            store.load(in, password);
        }
        return store;
    }

    static List<Certificate> certificates(String file) throws Exception {
        try (InputStream in = new FileInputStream(file)) {
            return new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
    }

    static KeyStore pemKeyStore(String certFile, String keyFile, char[] password) throws Exception {
        String pem = Files.readString(Path.of(keyFile));
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("host", key, password, certificates(certFile).toArray(new Certificate[0]));
        return store;
    }

    static KeyStore caStore(String caFile) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int n = 0;
        for (Certificate cert : certificates(caFile)) {
            store.setCertificateEntry("ca" + n++, cert);
        }
        return store;
    }

    static SSLContext context(KeyStore keys, char[] keyPassword, KeyStore trust) throws Exception {
        KeyManagerFactory kmf = null;
        if (keys != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, keyPassword);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    static void client(SSLContext context, int port, String serverName) throws Exception {
        try (Socket raw = new Socket("127.0.0.1", port)) {
            raw.setSoTimeout(10000);
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(raw, serverName, port, true);
            SSLParameters params = tls.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(params);
            tls.startHandshake();
            OutputStream out = tls.getOutputStream();
            out.write("ping\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            if (!"pong".equals(answer)) {
                throw new java.io.IOException("the server closed the connection without answering");
            }
            report(tls);
        }
    }

    static void server(SSLContext context, boolean needClientAuth) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            listener.setNeedClientAuth(needClientAuth);
            listener.setSoTimeout(10000);
            System.out.println("LISTENING " + listener.getLocalPort());
            System.out.flush();
            try (SSLSocket tls = (SSLSocket) listener.accept()) {
                tls.setSoTimeout(10000);
                tls.startHandshake();
                String line = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                if ("ping".equals(line)) {
                    OutputStream out = tls.getOutputStream();
                    out.write("pong\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                report(tls);
            }
        }
    }

    static void report(SSLSocket tls) {
        String peer;
        try {
            peer = ((java.security.cert.X509Certificate) tls.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            peer = "none";
        }
        System.out.println("OK " + tls.getSession().getProtocol() + " " + tls.getSession().getCipherSuite() + " peer=" + peer);
    }
}
