#!/usr/bin/env bash
# Takes the README's screenshot of the console (GET /ui) into docs/console.png: the test harness starts a daemon with
# three tenants, sends them a minute of traffic through three dialects, opens /ui in headless Chromium with an admin
# key, runs a search and a tail, and saves the page (Ingestd.Tests/WebConsole/ConsoleScreenshot.cs). Needs chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build Ingestd.Tests/Ingestd.Tests.csproj -c Release -nologo -clp:ErrorsOnly
INGESTD_CONSOLE_SCREENSHOT="${1:-docs/console.png}" \
  dotnet test Ingestd.Tests/Ingestd.Tests.csproj -c Release --no-build --nologo \
  --filter "FullyQualifiedName~WebConsole.ConsoleScreenshot" --logger "console;verbosity=normal"
