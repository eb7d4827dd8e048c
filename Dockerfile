# kubemock: a simulated Kubernetes API server in one Node process.
#   docker compose up -d                                   (or: docker build -t kubemock . && docker run -p 6443:6443 kubemock)
#   docker compose exec kubemock cat /kubeconfig/config > kubemock.kubeconfig
#   kubectl --kubeconfig kubemock.kubeconfig get nodes
# The container serves HTTPS on 6443 with a CA generated at start and requires a bearer token
# ($KUBEMOCK_TOKEN, default "kubemock"): it binds 0.0.0.0, so other containers and machines can
# reach it, and kubectl only sends tokens over TLS (protocol-core.md §0.2).

# --- build: full dependencies, compile TypeScript, then drop devDependencies ---
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
COPY openapi ./openapi
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: only what `npm pack` would ship (dist, bin, openapi) plus prod node_modules ---
FROM node:20-slim
ENV NODE_ENV=production \
    KUBEMOCK_TOKEN=kubemock \
    KUBEMOCK_PORT=6443 \
    KUBEMOCK_KUBECONFIG=/kubeconfig/config \
    KUBEMOCK_KUBECONFIG_SERVER=https://127.0.0.1:6443
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/openapi ./openapi
# The kubeconfig (server URL, CA, token) is rewritten at every start: the CA is new each time.
RUN mkdir /kubeconfig /data && chown node:node /kubeconfig /data
VOLUME /kubeconfig
# For `--data-dir /data` (docker-compose.yml passes it): the cluster then outlives the container.
# npm ci fetched better-sqlite3's prebuilt binary in the build stage (node:20-slim has no compiler).
VOLUME /data
USER node
EXPOSE 6443
# The slim image has no curl; /readyz answers without a token, as on a real cluster.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=5 \
  CMD node -e "require('https').get({host:'127.0.0.1',port:process.env.KUBEMOCK_PORT,path:'/readyz',rejectUnauthorized:false},(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
# --host 0.0.0.0: inside a container 127.0.0.1 is unreachable through the published port.
# --allowed-host kubemock: other containers reach it by its compose service / container name
# (the certificate names it too); loopback names and IP addresses are always answered, any
# other Host header gets 403 (DNS-rebinding protection). Add more with `--allowed-host NAME`.
# Arguments after the image name are appended: `docker run kubemock --nodes 5 --speed 0`.
ENTRYPOINT ["sh", "-c", "exec node bin/kubemock.js --host 0.0.0.0 --port \"$KUBEMOCK_PORT\" --tls --token \"$KUBEMOCK_TOKEN\" --kubeconfig \"$KUBEMOCK_KUBECONFIG\" --kubeconfig-server \"$KUBEMOCK_KUBECONFIG_SERVER\" --allowed-host kubemock \"$@\"", "kubemock"]
CMD []
