import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Properties;
import java.util.UUID;

/**
 * A test CDS client (an "EHR") for trying the server's client trust locally, JDK only (no build, no library):
 *
 * <pre>
 * java bench/CdsClient.java keys DIR [ISSUER]   # an EC P-384 key pair: DIR/client-key.p8 (private, PKCS#8, mode 600),
 *                                               # DIR/client.properties (issuer, kid) and DIR/cds-clients.json, the
 *                                               # registration to give the server (its public key inline)
 * java bench/CdsClient.java token DIR URL       # prints a fresh JWT for a call to URL, signed as CDS Hooks 2.0 asks:
 *                                               # ES384, kid; iss, aud = URL, iat, exp = iat + 5 min, a new jti
 * </pre>
 *
 * Each token is good for one call (the server refuses a jti it has seen) to exactly the URL it names.
 */
public class CdsClient {

	public static void main(String[] args) throws Exception {
		if (args.length >= 2 && args[0].equals("keys")) {
			keys(Path.of(args[1]), args.length > 2 ? args[2] : "https://ehr.example.org");
		} else if (args.length == 3 && args[0].equals("token")) {
			System.out.println(token(Path.of(args[1]), args[2]));
		} else {
			System.err.println("usage: java bench/CdsClient.java keys DIR [ISSUER] | token DIR URL");
			System.exit(2);
		}
	}

	static void keys(Path dir, String issuer) throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
		generator.initialize(new ECGenParameterSpec("secp384r1"));
		KeyPair pair = generator.generateKeyPair();
		ECPublicKey key = (ECPublicKey) pair.getPublic();
		String x = base64Url(unsigned(key.getW().getAffineX()));
		String y = base64Url(unsigned(key.getW().getAffineY()));
		// RFC 7638 thumbprint as the key id: stable, derived from the public key alone.
		String kid = base64Url(MessageDigest.getInstance("SHA-256").digest(
				("{\"crv\":\"P-384\",\"kty\":\"EC\",\"x\":\"" + x + "\",\"y\":\"" + y + "\"}").getBytes(StandardCharsets.UTF_8)));
		Files.createDirectories(dir);
		Path privateKey = dir.resolve("client-key.p8");
		Files.write(privateKey, pair.getPrivate().getEncoded());
		try {
			Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
		} catch (UnsupportedOperationException notPosix) {
			// Windows: keep the file somewhere only you can read
		}
		Properties client = new Properties();
		client.setProperty("iss", issuer);
		client.setProperty("kid", kid);
		try (var out = Files.newBufferedWriter(dir.resolve("client.properties"))) {
			client.store(out, "test CDS client");
		}
		String registration = """
				{"clients": [
				  {"iss": "%s",
				   "jwks": {"keys": [{"kty": "EC", "crv": "P-384", "use": "sig", "alg": "ES384", "kid": "%s", "x": "%s", "y": "%s"}]},
				   "localStore": true}
				]}
				""".formatted(issuer, kid, x, y);
		Files.writeString(dir.resolve("cds-clients.json"), registration);
		System.out.println("wrote " + privateKey + " (private: keep it), " + dir.resolve("client.properties") + " and "
				+ dir.resolve("cds-clients.json") + " (the registration for LACTATION_CDS_SECURITY_CDS_CLIENTS_FILE)");
	}

	static String token(Path dir, String url) throws Exception {
		Properties client = new Properties();
		try (var in = Files.newBufferedReader(dir.resolve("client.properties"))) {
			client.load(in);
		}
		PrivateKey key = KeyFactory.getInstance("EC")
				.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(dir.resolve("client-key.p8"))));
		long now = Instant.now().getEpochSecond();
		String header = "{\"alg\":\"ES384\",\"typ\":\"JWT\",\"kid\":\"" + client.getProperty("kid") + "\"}";
		String claims = "{\"iss\":\"" + client.getProperty("iss") + "\",\"aud\":\"" + url + "\",\"iat\":" + now
				+ ",\"exp\":" + (now + 300) + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
		String signingInput = base64Url(header.getBytes(StandardCharsets.UTF_8)) + "." + base64Url(claims.getBytes(StandardCharsets.UTF_8));
		// JWS wants the raw r||s signature (RFC 7518 3.4), which is the JDK's P1363 format.
		Signature signer = Signature.getInstance("SHA384withECDSAinP1363Format");
		signer.initSign(key);
		signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
		return signingInput + "." + base64Url(signer.sign());
	}

	/** A P-384 coordinate as exactly 48 big-endian bytes. */
	private static byte[] unsigned(BigInteger value) {
		byte[] bytes = value.toByteArray();
		byte[] fixed = new byte[48];
		int length = Math.min(bytes.length, 48);
		System.arraycopy(bytes, bytes.length - length, fixed, 48 - length, length);
		return fixed;
	}

	private static String base64Url(byte[] bytes) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}
}
