// Package kubelist lists a core v1 resource through a REST client and
// decodes the reply into the caller's own lean type: winami reads a
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
	"io"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

// List is GET /api/v1/<resource> with opts, its JSON decoded into into
// as it arrives.
func List(ctx context.Context, client rest.Interface, resource string, opts metav1.ListOptions, into any) error {
	body, err := Stream(ctx, client, resource, "application/json", opts)
	if err != nil {
		return err
	}
	defer Close(body)
	if err := json.UnmarshalRead(body, into, Lenient()); err != nil {
		return fmt.Errorf("decoding the list of %s: %w", resource, err)
	}
	return nil
}

// Lenient is how a list is decoded: as leniently as encoding/json, which
// winami used before. An API server sends neither duplicate names nor
// invalid UTF-8, but a proxy in between should not make a list unreadable
// for it, and not tracking names is faster.
func Lenient() json.Options {
	return json.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
}

// Stream is GET /api/v1/<resource> with opts, asking for the encodings in
// accept (an Accept header): the reply as it arrives, for a caller that
// decodes it itself (and closes it with Close).
// A page of 500 nodes is megabytes: read whole first, as client-go's Do
// does, it cost as much memory again and a copy at each doubling. A
// refusal is the API server's Status, with its reason ("User ... cannot
// list resource nodes"), in whichever of accept's encodings the server
// chose: the client's own serializers decode it.
func Stream(ctx context.Context, client rest.Interface, resource, accept string, opts metav1.ListOptions) (io.ReadCloser, error) {
	return client.Get().Resource(resource).
		VersionedParams(&opts, metav1.ParameterCodec).
		SetHeader("Accept", accept).
		Stream(ctx)
}

// Close reads what is left of a body, so that its connection can serve
// the next request, and closes it.
func Close(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, body)
	_ = body.Close()
}
