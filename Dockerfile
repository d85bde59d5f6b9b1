# fedprobe in a container.
#   docker build -t fedprobe .                                   (any Node 20 image as BASE)
#   docker run --rm fedprobe check flower/supernode --set superlink_host=superlink.example.org
#   docker run -d --read-only -p 127.0.0.1:9469:9469 fedprobe daemon fedbiomed/node --set network_host=fbm.example.org --listen 0.0.0.0:9469
#   docker run --rm --network host fedprobe check flower/superlink      (listen:// rows read the host's /proc/net only in its network namespace)
# BASE is a build argument because this project's CI has no registry to pull from: its smoke test
# (test/docker/smoke.sh) builds a local Debian + Node 20 base image instead.
ARG BASE=node:20-slim

FROM ${BASE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/bundle.mjs ./scripts/bundle.mjs
# A build context that already carries node_modules (the offline smoke test) skips the download.
COPY . /context
RUN if [ -d /context/node_modules ]; then mv /context/node_modules ./; else npm ci --no-audit --no-fund --ignore-scripts; fi \
 && rm -rf /context \
 && node node_modules/typescript/bin/tsc -p tsconfig.build.json \
 && node scripts/bundle.mjs \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${BASE}
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY profiles ./profiles
RUN ln -sf /app/bin/fedprobe.js /usr/local/bin/fedprobe
# Any unprivileged uid works; 1000 is "node" in the official images.
USER 1000:1000
EXPOSE 9469
# Meaningful for `fedprobe daemon --listen 0.0.0.0:9469`; a one-shot `check` exits before it runs.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9469/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["fedprobe"]
CMD ["--help"]
