# Production image: the compiled app on Node.js 20. The database is MongoDB (MONGODB_URI), never the embedded one.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/seed-demo.ts scripts/install-db.ts ./scripts/
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY views ./views
COPY public ./public
RUN mkdir -p /app/data && chown node /app/data
USER node
EXPOSE 3000
CMD ["node", "dist/src/server.js"]
