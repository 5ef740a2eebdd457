package serve

import (
	"bytes"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds /bytes/N, /chunked/N and POST /echo.
const maxBody = 64 << 20

// routes: /hello, /status/NNN, /bytes/N, POST /echo, /chunked/N, /sleep/MS, /trailer.
func routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("hello"))
	})
	mux.HandleFunc("/status/", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
		if err != nil || code < 100 || code > 999 {
			http.Error(w, "bad status", http.StatusBadRequest)
			return
		}
		w.WriteHeader(code)
	})
	mux.HandleFunc("/bytes/", func(w http.ResponseWriter, r *http.Request) {
		n, ok := sizeArg(w, r, "/bytes/")
		if !ok {
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(n))
		w.Write(payload(n))
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil || len(body) > maxBody {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(body)
	})
	mux.HandleFunc("/chunked/", chunked)
	mux.HandleFunc("/sleep/", func(w http.ResponseWriter, r *http.Request) {
		ms, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/sleep/"))
		if err != nil || ms < 0 {
			http.Error(w, "bad duration", http.StatusBadRequest)
			return
		}
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
			w.Write([]byte("slept"))
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/trailer", func(w http.ResponseWriter, r *http.Request) {
		// A declared trailer: HTTP/1.1 sends it after the last chunk,
		// HTTP/2 as a second HEADERS frame.
		w.Header().Set("Trailer", "X-Trailer")
		w.Header().Set("X-Resp", "yes")
		w.Write([]byte("ok"))
		w.Header().Set("X-Trailer", "done")
	})
	return mux
}

// chunked writes N bytes in five Write+Flush steps and no Content-Length:
// HTTP/1.1 then uses chunked encoding, HTTP/2 several DATA frames.
func chunked(w http.ResponseWriter, r *http.Request) {
	n, ok := sizeArg(w, r, "/chunked/")
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	body := payload(n)
	step := (n + 4) / 5
	for len(body) > 0 {
		k := step
		if k > len(body) {
			k = len(body)
		}
		if _, err := w.Write(body[:k]); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		body = body[k:]
	}
}

// sizeArg parses N of prefix+N, answering 400 itself when it is bad.
func sizeArg(w http.ResponseWriter, r *http.Request, prefix string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, prefix))
	if err != nil || n < 0 || n > maxBody {
		http.Error(w, "bad size", http.StatusBadRequest)
		return 0, false
	}
	return n, true
}

// payload returns n bytes 'a'+i%26, the pattern of the Echo service
// (internal/echo is not imported: it would link grpc-go).
func payload(n int) []byte {
	return bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz"), n/26+1)[:n]
}

// stackHeader sets "Served-By" on every response to the HTTP
// implementation that really serves it, told from the ResponseWriter's
// type, so a test can check that a mode runs the stack it claims to.
// (Not an x- key: x- keys are what the tests compare with the tracer.)
func stackHeader(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Served-By", stackOf(w))
		h.ServeHTTP(w, r)
	})
}

func stackOf(w http.ResponseWriter) string {
	t := reflect.TypeOf(w)
	if t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	pkg := t.PkgPath()
	switch {
	case strings.HasPrefix(pkg, "golang.org/x/net/"):
		return "x/net h2"
	case pkg == "net/http" && t.Name() == "response":
		return "net/http h1"
	case pkg == "net/http" && strings.HasPrefix(t.Name(), "http2"), strings.HasPrefix(pkg, "net/http/internal/"):
		return "net/http h2" // the bundled copy; in std's own package from Go 1.27
	}
	return "unknown " + pkg + "." + t.Name()
}
