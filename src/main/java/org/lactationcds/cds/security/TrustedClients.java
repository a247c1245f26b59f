package org.lactationcds.cds.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The trusted-clients file: {@code {"clients": [{"iss": ..., "jwks": {"keys": [...]}} | "jwksUri": ..., "jku": [...],
 * "fhirServers": [...], "localStore": false}]}}. An inline jwks is used as is; a jwksUri (and an allow-listed jku) is
 * fetched on first use, cached, refreshed when a JWT names an unknown key id, and rate-limited (nimbus
 * JWKSourceBuilder).
 */
public final class TrustedClients {

	private final Map<String, TrustedClient> byIssuer;

	private TrustedClients(Map<String, TrustedClient> byIssuer) {
		this.byIssuer = Map.copyOf(byIssuer);
	}

	public Optional<TrustedClient> forIssuer(String issuer) {
		return Optional.ofNullable(issuer == null ? null : byIssuer.get(issuer));
	}

	public int size() {
		return byIssuer.size();
	}

	public static TrustedClients read(Path file) {
		try {
			return parse(new ObjectMapper().readTree(Files.readString(file)));
		} catch (IOException e) {
			throw new IllegalStateException("cannot read the CDS clients file " + file + ": " + e.getMessage(), e);
		}
	}

	static TrustedClients parse(JsonNode root) {
		if (root == null || !root.path("clients").isArray()) {
			throw new IllegalStateException("the CDS clients file must be {\"clients\": [...]}");
		}
		Map<String, TrustedClient> clients = new LinkedHashMap<>();
		int index = 0;
		for (JsonNode client : root.get("clients")) {
			String where = "clients[" + index++ + "]";
			String issuer = client.path("iss").asText("");
			if (issuer.isBlank()) {
				throw new IllegalStateException(where + ".iss is required");
			}
			Map<URI, JWKSource<SecurityContext>> jku = new HashMap<>();
			for (JsonNode url : client.path("jku")) {
				jku.put(URI.create(url.asText()), remote(url.asText(), where + ".jku"));
			}
			Set<String> fhirServers = new LinkedHashSet<>();
			client.path("fhirServers").forEach(url -> fhirServers.add(TrustedClient.normalized(url.asText())));
			JsonNode localStore = client.path("localStore");
			if (!localStore.isMissingNode() && !localStore.isBoolean()) {
				throw new IllegalStateException(where + ".localStore must be true or false");
			}
			clients.put(issuer, new TrustedClient(issuer, keys(client, where), client.has("jwks"), Map.copyOf(jku),
					Set.copyOf(fhirServers), localStore.asBoolean(false)));
		}
		return new TrustedClients(clients);
	}

	private static JWKSource<SecurityContext> keys(JsonNode client, String where) {
		if (client.has("jwks")) {
			try {
				JWKSet set = JWKSet.parse(client.get("jwks").toString());
				if (set.getKeys().stream().anyMatch(key -> key.isPrivate())) {
					throw new IllegalStateException(where + ".jwks holds a private key: give the public keys only");
				}
				return new ImmutableJWKSet<>(set);
			} catch (ParseException e) {
				throw new IllegalStateException(where + ".jwks is not a JWK Set: " + e.getMessage(), e);
			}
		}
		if (client.has("jwksUri")) {
			return remote(client.get("jwksUri").asText(), where + ".jwksUri");
		}
		if (client.path("jku").isArray() && !client.path("jku").isEmpty()) {
			return (selector, context) -> List.of(); // keys only through its allow-listed jku
		}
		throw new IllegalStateException(where + " needs jwks, jwksUri or jku");
	}

	private static JWKSource<SecurityContext> remote(String url, String where) {
		try {
			return JWKSourceBuilder.create(new URL(url))
					.cache(true)
					.rateLimited(true)
					.retrying(false)
					.build();
		} catch (MalformedURLException e) {
			throw new IllegalStateException(where + " is not a URL: " + url, e);
		}
	}
}
