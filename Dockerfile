# Brobygger: multi-stage build, small runtime image, non-root, configured by environment.
FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release -p brobygger-api --bin brobygger

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --create-home brobygger
COPY --from=build /src/target/release/brobygger /usr/local/bin/brobygger
USER brobygger
WORKDIR /data
ENV BROBYGGER_BIND=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///data/brobygger.db \
    RUST_LOG=info
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["/usr/local/bin/brobygger"]
CMD ["serve"]
