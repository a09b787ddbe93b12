package web

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// OpenAPI returns the OpenAPI 3.1 document of every API route registered
// so far, built from the Ops and the Go types they name.
func (rt *Router) OpenAPI() map[string]any {
	g := newSchemas()
	paths := obj{}
	tags := map[string]bool{}
	for _, ro := range rt.snapshot() {
		if ro.kind != kindAPI {
			continue
		}
		path := openAPIPath(ro.path)
		item, _ := paths[path].(obj)
		if item == nil {
			item = obj{}
			paths[path] = item
		}
		item[strings.ToLower(ro.method)] = operation(g, ro)
		for _, t := range ro.op.Tags {
			tags[t] = true
		}
	}
	g.of(Problem{})
	tagList := []obj{}
	for _, t := range sortedKeys(tags) {
		tagList = append(tagList, obj{"name": t})
	}
	version := rt.s.cfg.Version
	if version == "" {
		version = "dev"
	}
	return obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":   "peaceops API",
			"version": version,
			"description": "Mission management information system for UN peace operations. " +
				"Authenticate with the session cookie from POST /api/v1/session (state-changing requests then need the " +
				"X-CSRF-Token header it returns) or with Authorization: Bearer <token>. Errors are application/problem+json.",
		},
		"paths": paths,
		"tags":  tagList,
		"components": obj{
			"schemas":   g.defs,
			"responses": problemResponses(),
			"securitySchemes": obj{
				"sessionCookie": obj{"type": "apiKey", "in": "cookie", "name": SessionCookie},
				"bearerToken":   obj{"type": "http", "scheme": "bearer"},
			},
		},
		"security": []obj{{"sessionCookie": []string{}}, {"bearerToken": []string{}}},
	}
}

var pathParam = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// openAPIPath turns a ServeMux path into an OpenAPI path: "{$}" dropped,
// "{rest...}" as "{rest}".
func openAPIPath(p string) string {
	p = strings.TrimSuffix(p, "{$}")
	return pathParam.ReplaceAllString(p, "{$1}")
}

func operation(g *schemas, ro *route) obj {
	op := ro.op
	o := obj{"operationId": operationID(ro.method, ro.path), "responses": responses(g, ro)}
	if op.Summary != "" {
		o["summary"] = op.Summary
	}
	if op.Description != "" {
		o["description"] = op.Description
	}
	if len(op.Tags) > 0 {
		o["tags"] = op.Tags
	}
	if op.Public {
		o["security"] = []obj{{}, {"sessionCookie": []string{}}, {"bearerToken": []string{}}}
	}
	if params := parameters(ro); len(params) > 0 {
		o["parameters"] = params
	}
	if op.Request != nil {
		o["requestBody"] = obj{"required": true, "content": obj{
			"application/json": obj{"schema": g.inputOf(op.Request)},
		}}
	}
	return o
}

func operationID(method, path string) string {
	path = strings.TrimPrefix(path, "/api/v1")
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(path, "/") {
		seg = strings.Trim(seg, "{}.$")
		if seg == "" {
			continue
		}
		b.WriteByte('_')
		b.WriteString(componentName(strings.ReplaceAll(seg, ".", "_")))
	}
	return b.String()
}

func parameters(ro *route) []obj {
	var out []obj
	seen := map[string]bool{}
	for _, m := range pathParam.FindAllStringSubmatch(ro.path, -1) {
		out = append(out, obj{"name": m[1], "in": "path", "required": true, "schema": obj{"type": "string"}})
	}
	add := func(p Param) {
		if seen[p.Name] {
			return
		}
		seen[p.Name] = true
		typ := p.Type
		if typ == "" {
			typ = "string"
		}
		q := obj{"name": p.Name, "in": "query", "schema": obj{"type": typ}}
		if p.Description != "" {
			q["description"] = p.Description
		}
		if p.Required {
			q["required"] = true
		}
		out = append(out, q)
	}
	for _, p := range ro.op.Query {
		add(p)
	}
	if ro.op.List {
		add(Param{Name: "limit", Type: "integer", Description: "page size, 1 to " + strconv.Itoa(MaxLimit) + " (default " + strconv.Itoa(DefaultLimit) + ")"})
		add(Param{Name: "cursor", Description: "next_cursor of the previous page"})
	}
	if len(ro.op.Formats) > 0 {
		add(Param{Name: "format", Description: "response format instead of the Accept header: json, csv or geojson as offered"})
	}
	if ro.op.IfMatch {
		out = append(out, obj{"name": "If-Match", "in": "header", "required": true,
			"description": "the ETag of the version being changed", "schema": obj{"type": "string"}})
	}
	if ro.idempotent {
		out = append(out, obj{"name": IdempotencyKeyHeader, "in": "header",
			"description": "a unique key per request: a retry with the same key replays the first response (24 hours)",
			"schema":      obj{"type": "string", "maxLength": maxIdempotencyKey}})
	}
	return out
}

func responses(g *schemas, ro *route) obj {
	op := ro.op
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	success := obj{"description": http.StatusText(status)}
	if op.Response != nil && status != http.StatusNoContent {
		s := g.of(op.Response)
		if op.List {
			s = obj{"type": "object", "required": []string{"items", "next_cursor"}, "properties": obj{
				"items":       obj{"type": "array", "items": s},
				"next_cursor": obj{"type": "string", "description": "cursor of the next page; empty on the last"},
			}}
		}
		content := obj{"application/json": obj{"schema": s}}
		for _, f := range op.Formats {
			switch {
			case strings.HasSuffix(f, "json"):
				content[f] = obj{"schema": obj{"type": "object"}}
			default:
				content[f] = obj{"schema": obj{"type": "string"}}
			}
		}
		success["content"] = content
	}
	out := obj{strconv.Itoa(status): success, "400": ref("BadRequest"), "default": ref("Internal")}
	if !op.Public {
		out["401"] = ref("Unauthorized")
		out["403"] = ref("Forbidden")
	}
	if strings.Contains(ro.path, "{") {
		out["404"] = ref("NotFound")
	}
	if !safeMethod(ro.method) {
		out["409"] = ref("Conflict")
	}
	if op.IfMatch {
		out["412"] = ref("PreconditionFailed")
		out["428"] = ref("PreconditionRequired")
	}
	if op.Request != nil {
		out["413"] = ref("TooLarge")
		out["415"] = ref("UnsupportedMediaType")
	}
	out["429"] = ref("TooManyRequests")
	return out
}

func ref(name string) obj { return obj{"$ref": "#/components/responses/" + name} }

func problemResponses() obj {
	out := obj{}
	for name, desc := range map[string]string{
		"BadRequest":           "invalid input; errors lists each field at fault",
		"Unauthorized":         "no identity: sign in or send a bearer token",
		"Forbidden":            "not allowed, or a missing CSRF token",
		"NotFound":             "absent, or not visible to the caller",
		"Conflict":             "clashes with existing state, or an Idempotency-Key in use",
		"PreconditionFailed":   "If-Match names a stale version",
		"PreconditionRequired": "If-Match is required",
		"TooLarge":             "request body over the size limit",
		"UnsupportedMediaType": "the body must be application/json",
		"TooManyRequests":      "throttled: wait and retry",
		"Internal":             "internal error: detail is in the server log under request_id",
	} {
		out[name] = obj{"description": desc, "content": obj{
			"application/problem+json": obj{"schema": obj{"$ref": "#/components/schemas/Problem"}},
		}}
	}
	return out
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-cache")
	return JSON(w, http.StatusOK, s.router.OpenAPI())
}

// Undocumented returns the patterns under /api/ registered on the mux
// (by any means, Handle included) that the OpenAPI document lacks. A test
// of the fully wired server asserts it is empty.
func (rt *Router) Undocumented() []string {
	paths, _ := rt.OpenAPI()["paths"].(obj)
	var out []string
	for _, ro := range rt.snapshot() {
		if !strings.HasPrefix(ro.path, "/api/") {
			continue
		}
		item, _ := paths[openAPIPath(ro.path)].(obj)
		if ro.method == "" || item == nil || item[strings.ToLower(ro.method)] == nil {
			out = append(out, ro.pattern)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
