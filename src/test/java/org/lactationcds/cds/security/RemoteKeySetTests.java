package org.lactationcds.cds.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Clients whose keys are published: a jwksUri fetched, cached and refreshed on rotation; an allow-listed jku. */
class RemoteKeySetTests {

	HttpServer keys;
	final AtomicReference<JWKSet> published = new AtomicReference<>();
	final AtomicInteger fetches = new AtomicInteger();
	String base;

	@BeforeEach
	void publish() throws Exception {
		keys = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		keys.createContext("/", exchange -> {
			fetches.incrementAndGet();
			byte[] body = published.get().toString(true).getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		keys.start();
		base = "http://127.0.0.1:" + keys.getAddress().getPort();
	}

	@AfterEach
	void stop() {
		keys.stop(0);
	}

	@Test
	void jwksUriIsFetchedOnceCachedAndRefreshedWhenTheClientRotatesItsKey() throws Exception {
		RSAKey first = new RSAKeyGenerator(2048).keyID("k1").generate();
		RSAKey second = new RSAKeyGenerator(2048).keyID("k2").generate();
		published.set(new JWKSet(first.toPublicJWK()));
		ClientJwtVerifier verifier = verifier(Map.of("iss", TestClients.ISSUER, "jwksUri", base + "/jwks"));

		verifier.verify(token(first, null), TestClients.AUDIENCE);
		verifier.verify(token(first, null), TestClients.AUDIENCE);
		assertThat(fetches.get()).as("cached").isEqualTo(1);

		published.set(new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())));
		assertThat(verifier.verify(token(second, null), TestClients.AUDIENCE).issuer()).isEqualTo(TestClients.ISSUER);
		assertThat(fetches.get()).as("refreshed for the unknown kid").isEqualTo(2);
	}

	@Test
	void allowListedJkuIsUsedAndAnotherIsNot() throws Exception {
		RSAKey key = new RSAKeyGenerator(2048).keyID("j1").generate();
		published.set(new JWKSet(key.toPublicJWK()));
		ClientJwtVerifier verifier = verifier(Map.of("iss", TestClients.ISSUER, "jku", List.of(base + "/allowed")));

		assertThat(verifier.verify(token(key, URI.create(base + "/allowed")), TestClients.AUDIENCE).issuer()).isEqualTo(TestClients.ISSUER);
		assertThatThrownBy(() -> verifier.verify(token(key, URI.create(base + "/other")), TestClients.AUDIENCE))
				.hasMessageContaining("not on the allow-list");
		assertThatThrownBy(() -> verifier.verify(token(key, null), TestClients.AUDIENCE))
				.as("without jku the client has no keys of its own").isInstanceOf(UntrustedCallException.class);
	}

	private static ClientJwtVerifier verifier(Map<String, Object> client) throws Exception {
		ObjectMapper json = new ObjectMapper();
		TrustedClients clients = TrustedClients.parse(json.readTree(json.writeValueAsString(Map.of("clients", List.of(client)))));
		return TestClients.verifier(clients, Clock.systemUTC());
	}

	private static String token(RSAKey key, URI jku) {
		JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS384).keyID(key.getKeyID()).type(JOSEObjectType.JWT);
		if (jku != null) {
			header.jwkURL(jku);
		}
		return TestClients.withHeader(header.build(), TestClients.claims(Instant.now()).build(), TestClients.signer(key));
	}
}
