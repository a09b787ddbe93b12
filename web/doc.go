// Package web is the HTTP kernel of peaceops: the server and its middleware
// (request id, access log, panic recovery, security headers, body limits,
// authentication, CSRF, Idempotency-Key, Prometheus metrics), the router
// every capability module registers its routes on, problem+json errors, the
// JSON, list, cursor, ETag and CSV helpers, the OpenAPI document, and the
// server-rendered page layout with its translations (en, fr) and embedded
// static assets.
//
// A module registers API routes with [Router.API], pages with [Router.Page]
// and a nav entry with [Router.NavItem]; its handlers are [HandlerFunc]s that
// return a *peaceops.Error (or any error) and let the router render it. What
// lives here is transport only: access decisions belong to access/, data to
// the modules' services.
//
// Front-end packages come from npm (package.json, package-lock.json);
// `npm run build` copies them into static/vendor/, which is committed and
// embedded, so building the binary needs neither npm nor a network.
package web
