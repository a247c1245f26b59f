# Build the executable jar with Maven, then run it on a JRE. Build context: the project root.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY fhir-resources fhir-resources
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 lactation
WORKDIR /app
COPY --from=build /build/target/lactation-cds.jar /app/lactation-cds.jar
USER lactation
EXPOSE 8080
# In a container the server must listen on all interfaces; the port is published by docker compose.
ENV SERVER_ADDRESS=0.0.0.0
# The parallel collector: less CPU per request than G1 on a small machine (README, Performance).
ENTRYPOINT ["java", "-XX:+UseParallelGC", "-XX:MaxRAMPercentage=75", "-jar", "/app/lactation-cds.jar"]
