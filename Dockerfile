# winami's container image: a static binary (CGO_ENABLED=0) on distroless's
# static base, running as a non-root user. It is what the Helm chart
# (deploy/chart/winami-exporter) and deploy/winami-drift.yaml run, as
# `winami drift --watch`. Build it from the repository's root:
#
#   docker build -t winami:dev .
#   docker buildx build --platform linux/amd64,linux/arm64 -t REGISTRY/winami:TAG --push .
#
# See docs/exporter.md, "The container image".

ARG GO_VERSION=1.26

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
ARG TARGETOS=linux
ARG TARGETARCH=amd64
WORKDIR /src
# The modules first, so that a change of winami's code reuses their layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Static (no cgo, so no libc to match), without a symbol table. No -trimpath:
# the only paths it would remove are the build container's /src.
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -ldflags="-s -w" -o /out/winami ./cmd/winami

# distroless/static: CA certificates (for AWS's and the API server's TLS),
# time zones, /etc/passwd with the nonroot user (65532); no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/winami /usr/local/bin/winami
USER 65532:65532
EXPOSE 9464
ENTRYPOINT ["/usr/local/bin/winami"]
CMD ["drift", "--watch", "--metrics-addr=:9464"]
