package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
	"sync"
)

// static holds our CSS and JS and, under static/vendor/, the npm packages
// copied there by `npm run build`. All of it is embedded: the UI works with
// no internet at all.
//
//go:embed static
var staticFS embed.FS

// staticFiles serves the embedded assets. URLs made by url carry a content
// hash (?v=...) so they can be cached for a year and still change the day
// the file does.
type staticFiles struct {
	fsys   fs.FS
	hashes map[string]string // file name under static/ -> content hash
}

// staticAssets is computed once from the embedded files; it holds no
// configuration.
var staticAssets = sync.OnceValue(func() *staticFiles {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	sf := &staticFiles{fsys: sub, hashes: map[string]string{}}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		sf.hashes[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		panic(err)
	}
	return sf
})

func newStaticFiles() *staticFiles { return staticAssets() }

// url returns the cache-busting URL of the asset name ("app.css").
func (sf *staticFiles) url(name string) string {
	if h, ok := sf.hashes[name]; ok {
		return "/static/" + name + "?v=" + h
	}
	return "/static/" + name
}

func (sf *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	hash, ok := sf.hashes[name]
	if !ok {
		http.Error(w, "404 not found", http.StatusNotFound)
		return
	}
	h := w.Header()
	if r.URL.Query().Get("v") == hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("ETag", `"`+hash+`"`)
	http.ServeFileFS(w, r, sf.fsys, name)
}
