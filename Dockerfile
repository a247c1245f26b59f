# Build the executable jar with Maven, then run it on a JRE. Build context: the project root.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# npm fetches the clinic app's browser libraries (src/main/frontend) during the build.
RUN apt-get update -q && apt-get install -y -q --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY fhir-resources fhir-resources
RUN mvn -B -q package -DskipTests

# Training stage (JDK 25, JEP 483/514/515): the jar is extracted to plain jars, then the server starts once on the
# embedded default with the demo data, runs its warm-up and exits when ready (lactation-cds.training-run), recording
# the classes it loaded and linked and its method profiles in an AOT cache. The server starts about a third faster from
# it (README, "AOT cache"). A cache is used only by the JVM build that wrote it: training and runtime share the image.
FROM eclipse-temurin:25-jre AS runtime-base

FROM runtime-base AS aot
WORKDIR /app
COPY --from=build /build/target/lactation-cds.jar /tmp/lactation-cds.jar
RUN java -Djarmode=tools -jar /tmp/lactation-cds.jar extract --destination /app \
    && mkdir /tmp/training && cd /tmp/training \
    && java -XX:+UseParallelGC -XX:AOTCacheOutput=/app/app.aot -Dlactation-cds.training-run=true \
        -jar /app/lactation-cds.jar --server.port=0 \
    && rm -rf /tmp/training /tmp/lactation-cds.jar

FROM runtime-base
RUN useradd --system --uid 10001 lactation
WORKDIR /app
COPY --from=aot /app /app
USER lactation
EXPOSE 8080
# In a container the server must listen on all interfaces; the port is published by docker compose.
ENV SERVER_ADDRESS=0.0.0.0
# The parallel collector: less CPU per request than G1 on a small machine (README, Performance). The AOT cache is
# the one written by the training stage; a JVM that cannot use it says so and starts without it.
ENTRYPOINT ["java", "-XX:+UseParallelGC", "-XX:MaxRAMPercentage=75", "-XX:AOTCache=/app/app.aot", "-jar", "/app/lactation-cds.jar"]
