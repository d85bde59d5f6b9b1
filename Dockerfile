# fedprobe in a container: `docker build --build-arg BASE=node:20-slim -t fedprobe .`
# BASE is an argument because this project's CI has no registry to pull from; any Node 20 image works.
ARG BASE=node:20-slim

FROM ${BASE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci --no-audit --no-fund && npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM ${BASE}
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY profiles ./profiles
RUN ln -s /app/bin/fedprobe.js /usr/local/bin/fedprobe
USER node
ENTRYPOINT ["fedprobe"]
CMD ["--help"]
