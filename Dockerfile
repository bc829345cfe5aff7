# syntax=docker/dockerfile:1
# vlm-streams: multi-stage build. The runtime base carries CUDA 12 + cuDNN 9, what the GPU build of
# ONNX Runtime (onnxruntime_gpu 1.23) needs; the same image runs on CPU when no GPU is visible.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY .mvn .mvn
COPY schemas/pom.xml schemas/pom.xml
COPY inference/pom.xml inference/pom.xml
COPY convert/pom.xml convert/pom.xml
COPY devstack/pom.xml devstack/pom.xml
COPY topology/pom.xml topology/pom.xml
COPY cli/pom.xml cli/pom.xml
# Resolve dependencies in their own layer so source edits do not re-download them.
RUN mvn -B -q dependency:go-offline -DexcludeReactor=true || true
COPY schemas schemas
COPY inference inference
COPY devstack devstack
COPY convert convert
COPY topology topology
ARG MAVEN_PROFILES=""
RUN mvn -B -q -DskipTests ${MAVEN_PROFILES} package

FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04 AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /app vlm
WORKDIR /app
# topology's runtime classpath: no broker, no Scala, no dev stack (the build enforces it).
COPY --from=build /src/topology/target/lib/ /app/lib/
COPY --from=build /src/topology/target/vlm-streams-app.jar /app/vlm-streams-app.jar
RUN mkdir -p /models /var/lib/vlm-streams && chown -R vlm /var/lib/vlm-streams
USER vlm
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError"
VOLUME ["/models", "/var/lib/vlm-streams"]
# 9404: Prometheus scrape and health endpoints
EXPOSE 9404
ENTRYPOINT ["/usr/bin/tini", "--", "java", "-jar", "/app/vlm-streams-app.jar"]
CMD ["--config", "/etc/vlm-streams/application.properties"]

# The command line (produce, tail, infer, model ...) for one-off jobs beside the application:
#   docker build --target cli -t vlm-streams-cli:local .
FROM runtime AS cli
COPY --from=build /src/cli/target/lib/ /app/cli/lib/
COPY --from=build /src/cli/target/vlm-streams.jar /app/cli/vlm-streams.jar
ENTRYPOINT ["/usr/bin/tini", "--", "java", "-jar", "/app/cli/vlm-streams.jar"]
CMD ["--help"]
