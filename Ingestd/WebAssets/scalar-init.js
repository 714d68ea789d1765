// Starts the Scalar API reference on GET /reference over the daemon's own OpenAPI document, with
// every feature that would reach outside the daemon switched off (the page's CSP allows 'self' only).
Scalar.createApiReference('#app', {
  url: '/openapi.json',
  withDefaultFonts: false,
  telemetry: false,
  showDeveloperTools: 'never',
  mcp: { disabled: true },
  agent: { disabled: true },
});
