package sandbox

import (
	"encoding/json"
	"net/http"
	"path"
	"slices"
	"strconv"

	"github.com/winami/winami/sandbox/registry"
)

// AnnouncementPath is where the sandbox says what it is and where its
// container registries are. It is the sandbox's own path, under
// /.well-known/ (RFC 8615), which no AWS API the sandbox imitates uses: a
// client that finds its AWS endpoint on loopback asks here before its first
// registry request, so it can send registry requests to the sandbox instead
// of looking mcr.microsoft.com up in DNS. Real AWS never sees the question.
const AnnouncementPath = "/.well-known/winami-sandbox"

// AnnouncementKind is the announcement's "kind".
const AnnouncementKind = "winami-sandbox"

// Announcement is the JSON document served at AnnouncementPath.
type Announcement struct {
	// Kind is always AnnouncementKind.
	Kind string `json:"kind"`
	// Version is the announcement's format version (1).
	Version    int                 `json:"version"`
	Registries AnnouncedRegistries `json:"registries"`
}

// AnnouncedRegistries say how to reach the sandbox's registries.
type AnnouncedRegistries struct {
	// Endpoint is where every registry request goes (plain HTTP), with the
	// registry's own name in the Host header: the address the client
	// reached the sandbox by.
	Endpoint string `json:"endpoint"`
	// Hosts are the registry hosts served, as path.Match patterns (exact
	// names, and one pattern for the ECR hosts of every account and region).
	Hosts []string `json:"hosts"`
	// SizeAnnotation names the layer annotation holding the size the
	// layer stands for (the blobs themselves are tiny).
	SizeAnnotation string `json:"sizeAnnotation"`
}

// announce answers AnnouncementPath and hands every other request to next.
func (s *Server) announce(next http.Handler) http.Handler {
	// The seeded ECR hosts are covered by the pattern for every account.
	hosts := slices.DeleteFunc(s.registry.HostNames(), func(h string) bool {
		ok, _ := path.Match(registry.ECRHostGlob, h)
		return ok
	})
	hosts = append(hosts, registry.ECRHostGlob)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != AnnouncementPath {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, _ := json.Marshal(Announcement{
			Kind:    AnnouncementKind,
			Version: 1,
			Registries: AnnouncedRegistries{
				Endpoint:       "http://" + r.Host,
				Hosts:          hosts,
				SizeAnnotation: registry.SimulatedSizeAnnotation,
			},
		})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method == http.MethodGet {
			_, _ = w.Write(body)
		}
	})
}
