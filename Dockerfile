# The garita image that deploy/k8s/indexed-job.yaml and the AWS Batch example in README.md run.
#
#   docker build -t registry.example.org/garita:0.1.0 .
#   docker push registry.example.org/garita:0.1.0
#
# Stage 1 builds the release binary with the Rust toolchain; stage 2 is a small Debian runtime
# holding only the binary and the bundled scenarios and sweeps, run by an unprivileged user.
# garita needs nothing from the system beyond the C library (its chart font is compiled in).

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin garita \
    && strip target/release/garita

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /work garita
COPY --from=build /src/target/release/garita /usr/local/bin/garita
COPY --chown=garita:garita scenarios /work/scenarios
COPY --chown=garita:garita sweeps /work/sweeps
USER garita
WORKDIR /work
ENTRYPOINT ["garita"]
CMD ["--help"]
