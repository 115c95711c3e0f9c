# The `accord` binary in a small image: built in a Rust image, run as a non-root user on
# Debian slim. Build: docker build -t accord .   Run: see README ("Container image").
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin accord

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home --home-dir /var/lib/accord accord
COPY --from=build /src/target/release/accord /usr/local/bin/accord
USER accord
WORKDIR /var/lib/accord
# The embedded default keeps its SQLite file in the volume; set DATABASE_URL for Postgres.
ENV ACCORD_BIND=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///var/lib/accord/accord.db?mode=rwc \
    ACCORD_LOG_FORMAT=json
VOLUME /var/lib/accord
EXPOSE 8080
ENTRYPOINT ["accord"]
CMD ["serve"]
