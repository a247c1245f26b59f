package org.lactationcds.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ContextConfiguration;

/**
 * The whole application on a real PostgreSQL, on a random port. Every test class that carries this annotation (and
 * nothing else that changes the context) shares one Spring context: a HAPI context is expensive to build. The
 * server's clock is a {@link MutableClock} that a test may pin (and must reset).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = PostgresContextInitializer.class)
@Import(TestClockConfiguration.class)
public @interface PostgresIntegrationTest {}
