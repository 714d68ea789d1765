#!/usr/bin/env bash
# Refreshes the vendored files of the API documentation pages (GET /api: Swagger UI, GET /reference: Scalar)
# and of the console (GET /ui: uPlot's charts)
# from the versions pinned in Ingestd/WebAssets/package.json + package-lock.json. The copies are committed,
# so building needs neither npm nor the network; run this only to move to new versions (edit package.json first).
set -euo pipefail
cd "$(dirname "$0")/../Ingestd/WebAssets"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js swagger-ui-bundle.js
cp node_modules/swagger-ui-dist/swagger-ui.css swagger-ui.css
cp node_modules/swagger-ui-dist/LICENSE swagger-ui-dist.LICENSE
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt swagger-ui-bundle.js.LICENSE.txt
cp node_modules/@scalar/api-reference/dist/browser/standalone.js scalar-standalone.js
cp node_modules/uplot/dist/uPlot.iife.min.js uplot.iife.min.js
cp node_modules/uplot/dist/uPlot.min.css uplot.min.css
cp node_modules/uplot/LICENSE uplot.LICENSE
# The minified bundles end with a source-map comment naming a file we do not serve.
sed -i '/^\/\/# sourceMappingURL=/d' swagger-ui-bundle.js scalar-standalone.js uplot.iife.min.js
sed -i 's|/\*# sourceMappingURL=[^*]*\*/||' swagger-ui.css
rm -rf node_modules
echo "web assets: swagger-ui-dist $(node -p 'require("./package-lock.json").packages["node_modules/swagger-ui-dist"].version'), @scalar/api-reference $(node -p 'require("./package-lock.json").packages["node_modules/@scalar/api-reference"].version'), uplot $(node -p 'require("./package-lock.json").packages["node_modules/uplot"].version')"
