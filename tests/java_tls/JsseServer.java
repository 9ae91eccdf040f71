import java.io.OutputStream;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSocket;

/**
 * A JSSE TLS server configured only by the javax.net.ssl.keyStore* system properties, as a Genesys
 * Java (PSDK) application is: prints its port, accepts one connection, handshakes, says hello.
 */
public class JsseServer {
    public static void main(String[] args) throws Exception {
        SSLServerSocketFactory factory = (SSLServerSocketFactory) SSLServerSocketFactory.getDefault();
        try (SSLServerSocket server = (SSLServerSocket) factory.createServerSocket(0)) {
            server.setSoTimeout(30000);
            System.out.println("PORT " + server.getLocalPort());
            System.out.flush();
            try (SSLSocket client = (SSLSocket) server.accept()) {
                client.startHandshake();
                OutputStream out = client.getOutputStream();
                out.write("hello from JSSE\n".getBytes("US-ASCII"));
                out.flush();
                System.out.println("HANDSHAKE " + client.getSession().getProtocol());
            }
        }
    }
}
