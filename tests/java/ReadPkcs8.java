import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/** What a Java PSDK application does with a PEM key file: only PKCS#8 gets through. */
public class ReadPkcs8 {
    public static void main(String[] args) throws Exception {
        String pem = Files.readString(Path.of(args[0]));
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64));
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(spec);
        System.out.println(key.getAlgorithm() + " " + key.getFormat() + " " + key.getModulus().bitLength()
                + " " + key.getModulus().toString(16));
    }
}
