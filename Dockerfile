# kubemock: a simulated Kubernetes API server in one Node process.
#   docker build -t kubemock . && docker run --rm -p 8080:8080 kubemock
#   kubectl --server http://127.0.0.1:8080 get nodes

# --- build: full dependencies, compile TypeScript, then drop devDependencies ---
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
COPY openapi ./openapi
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: only what `npm pack` would ship (dist, bin, openapi) plus prod node_modules ---
FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/openapi ./openapi
USER node
EXPOSE 8080
# TODO(auth): once authentication lands, the image should start with a default bearer token
# (printed at startup / settable by env) so kubectl over https can authenticate; plain http
# carries no credentials from kubectl (protocol-core.md §0.2).
# --host 0.0.0.0: inside a container 127.0.0.1 is unreachable through the published port.
CMD ["node", "bin/kubemock.js", "--host", "0.0.0.0", "--port", "8080"]
