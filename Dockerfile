# syntax=docker/dockerfile:1
# vlm-streams: multi-stage build. The default runtime base carries CUDA 12 + cuDNN 9, what the GPU build of
# ONNX Runtime (onnxruntime_gpu 1.23) needs; the same image runs on CPU when no GPU is visible. For a CPU-only
# image build with --build-arg MAVEN_PROFILES=-Pcpu --build-arg RUNTIME_BASE=ubuntu:22.04 (the compose file's
# cpu profile does): the CPU build of ONNX Runtime on a plain Ubuntu, a fraction of the size.
ARG RUNTIME_BASE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY .mvn .mvn
COPY schemas schemas
COPY inference inference
COPY convert convert
COPY devstack devstack
COPY topology topology
COPY cli cli
ARG MAVEN_PROFILES=""
# Maven's repository lives in a build cache, so a source edit does not download everything again; a failed
# download fails the build here instead of being hidden by an offline-resolution step.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests ${MAVEN_PROFILES} package

FROM ${RUNTIME_BASE} AS runtime
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
# Ready = Streams RUNNING; a JDK-only probe in the app jar, as the image has no curl. The model loads first.
HEALTHCHECK --interval=15s --timeout=10s --start-period=5m --retries=4 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-cp", "/app/vlm-streams-app.jar", "io.vlmstreams.topology.ops.HealthProbe", "http://127.0.0.1:9404/health/ready"]
ENTRYPOINT ["/usr/bin/tini", "--", "java", "-jar", "/app/vlm-streams-app.jar"]
CMD ["--config", "/etc/vlm-streams/application.properties"]

# The command line (produce, tail, infer, model ...) for one-off jobs beside the application:
#   docker build --target cli -t vlm-streams-cli:local .
FROM runtime AS cli
COPY --from=build /src/cli/target/lib/ /app/cli/lib/
COPY --from=build /src/cli/target/vlm-streams.jar /app/cli/vlm-streams.jar
HEALTHCHECK NONE
ENTRYPOINT ["/usr/bin/tini", "--", "java", "-jar", "/app/cli/vlm-streams.jar"]
CMD ["--help"]
