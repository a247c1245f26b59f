# Build the executable jar with Maven (Java 17 bytecode: the server runs on JDK 17 and later), record the JDK's
# ahead-of-time cache in a training run, then run on a Temurin 25 JRE with that cache. Build context: the project root.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY fhir-resources fhir-resources
RUN mvn -B -q package -DskipTests

# Training run, on the very JRE image the server runs on (an AOT cache is only used by the JVM build that wrote it).
# The jar is extracted first: the cache can hold only classes loaded from plain jars on the class path, not from the
# jars nested in a Spring Boot jar. The server starts on a throw-away embedded database, loads the demo data, warms
# its CDS path (CdsWarmUp) and exits once ready (lactation-cds.training-run): the cache holds the classes it loaded
# and linked and the method profiles of start-up and warm-up (JEP 483, 514, 515).
FROM eclipse-temurin:25-jre AS train
WORKDIR /app
COPY --from=build /build/target/lactation-cds.jar /tmp/lactation-cds.jar
RUN java -Djarmode=tools -jar /tmp/lactation-cds.jar extract --destination /app && rm /tmp/lactation-cds.jar
RUN mkdir /tmp/training && cd /tmp/training \
    && java -XX:+UseParallelGC -XX:AOTCacheOutput=/app/lactation-cds.aot -Dlactation-cds.training-run=true \
       -jar /app/lactation-cds.jar --server.port=0 \
    && rm -rf /tmp/training

FROM eclipse-temurin:25-jre
RUN useradd --system --uid 10001 lactation
WORKDIR /app
# Same paths as in the training run: the JVM checks the class path against the one the cache was recorded with.
COPY --from=train /app /app
USER lactation
EXPOSE 8080
# In a container the server must listen on all interfaces; the port is published by docker compose.
ENV SERVER_ADDRESS=0.0.0.0
# The parallel collector: less CPU per request than G1 on a small machine (README, Performance). A cache that does
# not match is reported and ignored: the server then starts as without it.
ENTRYPOINT ["java", "-XX:+UseParallelGC", "-XX:MaxRAMPercentage=75", "-XX:AOTCache=/app/lactation-cds.aot", "-jar", "/app/lactation-cds.jar"]
