// Package kubelist lists a core v1 resource through a REST client and
// decodes the JSON reply into the caller's own lean type: winami reads a
// handful of fields of each node or pod, and client-go's typed decoding
// of whole objects was most of a large list's time. The decoder is the
// encoding/json/v2 design (github.com/go-json-experiment/json): it skips
// the members a lean type leaves out in one pass, where encoding/json
// validates the whole reply first and then decodes it, and read a 500-node
// page in 0.4 of the time.
package kubelist

import (
	"context"
	"fmt"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

// List is GET /api/v1/<resource> with opts, its JSON decoded into into.
func List(ctx context.Context, client rest.Interface, resource string, opts metav1.ListOptions, into any) error {
	res := client.Get().Resource(resource).
		VersionedParams(&opts, metav1.ParameterCodec).
		SetHeader("Accept", "application/json").
		Do(ctx)
	// Error, unlike DoRaw, decodes the API server's Status, so a refusal
	// keeps the server's reason ("User ... cannot list resource nodes").
	if err := res.Error(); err != nil {
		return err
	}
	raw, err := res.Raw()
	if err != nil {
		return err
	}
	// As lenient as encoding/json, which winami used before: an API server
	// does not send duplicate names or invalid UTF-8, but a proxy in
	// between should not make a list unreadable for it.
	if err := json.Unmarshal(raw, into, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)); err != nil {
		return fmt.Errorf("decoding the list of %s: %w", resource, err)
	}
	return nil
}
