// Package kubelist lists a core v1 resource through a REST client and
// decodes the JSON reply into the caller's own lean type: winami reads a
// handful of fields of each node or pod, and client-go's typed decoding
// of whole objects was most of a large list's time.
package kubelist

import (
	"context"
	"encoding/json"
	"fmt"

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
	if err := json.Unmarshal(raw, into); err != nil {
		return fmt.Errorf("decoding the list of %s: %w", resource, err)
	}
	return nil
}
