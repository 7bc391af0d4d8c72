# The garita image used by deploy/k8s/indexed-job.yaml and the AWS Batch example in README.md.
#
#   docker build -t registry.example.org/garita:0.1.0 .
#   docker push registry.example.org/garita:0.1.0
#
# Stage 1 builds the release binary; stage 2 is a small Debian runtime with only the binary,
# the bundled scenarios and sweeps, run by an unprivileged user. garita needs no system
# library beyond the C library (fonts are compiled in), so nothing else is installed.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first, so that editing garita's own code does not rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && printf 'fn main() {}\n' > benches/engine.rs && cp benches/engine.rs benches/batch.rs \
    && sed -i '/^\[\[test\]\]/,/^$/d' Cargo.toml \
    && cargo fetch --locked
COPY build.rs ./
COPY src ./src
COPY assets ./assets
COPY benches ./benches
COPY .git* ./
RUN cargo build --release --locked --bin garita && strip target/release/garita

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --create-home --home-dir /work garita
COPY --from=build /src/target/release/garita /usr/local/bin/garita
COPY --chown=garita:garita scenarios /work/scenarios
COPY --chown=garita:garita sweeps /work/sweeps
USER garita
WORKDIR /work
ENTRYPOINT ["garita"]
CMD ["--help"]
