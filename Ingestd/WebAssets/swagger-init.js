// Starts Swagger UI on GET /api over the daemon's own OpenAPI document. A file rather than an inline
// script so that the page's Content-Security-Policy can say script-src 'self' and nothing more.
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // The default validator badge asks an outside server to check the document.
  validatorUrl: null,
});
