# curate: the CLI in a container. TypeScript runs directly on Node >= 22.18 (type stripping), so there is no build
# step: the image is the source tree plus production dependencies.
#   docker build -t curate .
#   docker run --rm -v "$PWD/out:/opt/curate/out" curate run manifests/demo.yaml
# With MinIO and the demo on S3: docker compose up (see docker-compose.yml).
FROM node:22-bookworm-slim

WORKDIR /opt/curate
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip \
    CURATE_CACHE_DIR=/var/cache/curate

# dependencies first (cached layer); .npmrc keeps onnxruntime-node to its bundled CPU binaries
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY bin ./bin
COPY pipeline ./pipeline
COPY stages ./stages
COPY classifiers ./classifiers
COPY manifests ./manifests
COPY data ./data

RUN mkdir -p /var/cache/curate /opt/curate/out && node bin/curate.js --version

ENTRYPOINT ["node", "/opt/curate/bin/curate.js"]
CMD ["--help"]
