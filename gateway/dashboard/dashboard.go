// Package dashboard is the gateway's web page at "/": static HTML, one
// script and one stylesheet, embedded. The page calls the platform API
// (canistry.platform.v1) from the browser with Connect's JSON protocol as
// the user whose delegation it was handed (canistry dashboard); the
// server side only serves files, so it holds nothing of the user's.
package dashboard

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// files are the page's files by URL path.
var files = map[string]struct{ name, contentType string }{
	"/":              {"index.html", "text/html; charset=utf-8"},
	"/index.html":    {"index.html", "text/html; charset=utf-8"},
	"/dashboard.js":  {"dashboard.js", "text/javascript; charset=utf-8"},
	"/dashboard.css": {"dashboard.css", "text/css; charset=utf-8"},
}

// policy keeps the page to its own origin: its script, its stylesheet and
// its calls to the gateway; nothing inline, nothing from elsewhere, never
// framed (the page holds a delegation).
const policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the dashboard's files on GET and HEAD; any other path is
// 404 (the gateway mounts it at "/", under its API paths, so an unknown
// service's path must still read as absent) and any other method 405.
func Handler() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embed above guarantees the directory
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		data, err := fs.ReadFile(sub, f.name)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.contentType)
		h.Set("Content-Security-Policy", policy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		// A new gateway's page must replace an old one at once.
		h.Set("Cache-Control", "no-cache")
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(data)
	})
}
