# One image for both apps and the migration step; docker-compose.yml picks the command.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
ENV NODE_ENV=production
CMD ["node", "--max-old-space-size=160", "dist/apps/worker/apps/worker/src/main.js"]
