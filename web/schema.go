package web

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/peaceops/peaceops"
)

// jsonField is one field of a struct as encoding/json sees it.
type jsonField struct {
	name      string
	typ       reflect.Type
	omitempty bool // omitempty or omitzero
	asString  bool // the ",string" option
}

// jsonFields lists the JSON fields of struct type t: exported fields by
// their json name, "-" skipped, embedded structs without a name flattened.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	seen := map[string]bool{}
	var walk func(t reflect.Type, depth int)
	walk = func(t reflect.Type, depth int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			ft := f.Type
			if f.Anonymous && name == "" {
				et := ft
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct && depth < 8 {
					walk(et, depth+1)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			out = append(out, jsonField{
				name:      name,
				typ:       ft,
				omitempty: strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,"),
				asString:  strings.Contains(","+opts+",", ",string,"),
			})
		}
	}
	walk(t, 0)
	return out
}

// schemas builds JSON Schemas (OpenAPI 3.1 dialect) of Go types from their
// json tags. Named struct types become components referenced by $ref.
// Output schemas list as required every field without omitempty (it is
// always present); input schemas (request bodies, named "...Input") list
// none, since the service decides what a request must hold.
type schemas struct {
	defs  map[string]any
	names map[schemaKey]string
	input bool // building request body schemas
}

type schemaKey struct {
	t     reflect.Type
	input bool
}

func newSchemas() *schemas {
	return &schemas{defs: map[string]any{}, names: map[schemaKey]string{}}
}

// inputOf returns the request body schema of v's type.
func (g *schemas) inputOf(v any) obj {
	g.input = true
	defer func() { g.input = false }()
	return g.of(v)
}

type obj = map[string]any

var (
	dateType           = reflect.TypeFor[peaceops.Date]()
	classificationType = reflect.TypeFor[peaceops.Classification]()
	roleType           = reflect.TypeFor[peaceops.Role]()
	rawMessageType     = reflect.TypeFor[json.RawMessage]()
	durationType       = reflect.TypeFor[time.Duration]()
)

// of returns the schema of values of v's type; nil gives nil.
func (g *schemas) of(v any) obj {
	if v == nil {
		return nil
	}
	return g.schema(reflect.TypeOf(v))
}

func (g *schemas) schema(t reflect.Type) obj {
	if t.Kind() == reflect.Pointer {
		return nullable(g.schema(t.Elem()))
	}
	switch t {
	case timeType:
		return obj{"type": "string", "format": "date-time"}
	case dateType:
		return obj{"type": []string{"string", "null"}, "format": "date"}
	case classificationType:
		enum := make([]string, len(peaceops.Classifications))
		for i, c := range peaceops.Classifications {
			enum[i] = c.String()
		}
		return obj{"type": "string", "enum": enum}
	case roleType:
		enum := make([]string, len(peaceops.Roles))
		for i, r := range peaceops.Roles {
			enum[i] = string(r)
		}
		return obj{"type": "string", "enum": enum}
	case rawMessageType:
		return obj{}
	case durationType:
		return obj{"type": "integer", "description": "nanoseconds"}
	}
	if t.Kind() != reflect.String && t.Kind() != reflect.Struct && (t.Implements(reflect.TypeFor[encoding.TextMarshaler]()) || reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]())) {
		return obj{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64, reflect.Uintptr:
		return obj{"type": "integer", "format": "int64"}
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return obj{"type": "integer", "format": "int32"}
	case reflect.Float32, reflect.Float64:
		return obj{"type": "number"}
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return obj{"type": "string", "contentEncoding": "base64"}
		}
		return obj{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return obj{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		if t.Implements(reflect.TypeFor[encoding.TextMarshaler]()) {
			return obj{"type": "string"}
		}
		if t.Name() == "" {
			return g.object(t)
		}
		return obj{"$ref": "#/components/schemas/" + g.name(t)}
	}
	return obj{} // interfaces, funcs: any value
}

// name registers the component of named struct type t and returns its
// name: the type's name, qualified by its package when two packages use
// the same one.
func (g *schemas) name(t reflect.Type) string {
	key := schemaKey{t, g.input}
	if n, ok := g.names[key]; ok {
		return n
	}
	suffix := ""
	if g.input {
		suffix = "Input"
	}
	n := componentName(t.Name()) + suffix
	if _, taken := g.defs[n]; taken {
		pkg := t.PkgPath()
		n = componentName(pkg[strings.LastIndexByte(pkg, '/')+1:]+"."+t.Name()) + suffix
	}
	g.names[key] = n
	g.defs[n] = obj{} // placeholder: recursive types refer to it
	g.defs[n] = g.object(t)
	return n
}

func componentName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '.' || r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return strings.Trim(b.String(), "_")
}

func (g *schemas) object(t reflect.Type) obj {
	props := obj{}
	required := []string{}
	for _, f := range jsonFields(t) {
		s := g.schema(f.typ)
		if f.asString {
			s = obj{"type": "string"}
		}
		props[f.name] = s
		if !g.input && !f.omitempty && f.typ.Kind() != reflect.Pointer {
			required = append(required, f.name)
		}
	}
	out := obj{"type": "object", "properties": props}
	if g.input {
		out["additionalProperties"] = false // Decode rejects unknown fields
	}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

func nullable(s obj) obj {
	switch t := s["type"].(type) {
	case string:
		c := obj{}
		for k, v := range s {
			c[k] = v
		}
		c["type"] = []string{t, "null"}
		return c
	case []string:
		return s
	}
	if len(s) == 0 {
		return s
	}
	return obj{"anyOf": []any{s, obj{"type": "null"}}}
}
