package drift

import (
	"context"
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/rest"
)

// KubeClient is a REST client of the core v1 API (/api/v1) for cfg, made
// without client-go's typed clientset (k8s.io/client-go/kubernetes): a
// linked package initialises at every start of the binary, and that one
// builds a scheme of every Kubernetes type, which cost every winami
// command, drift or not, milliseconds. Drift reads two things, the node
// list (LeanNodes, decoded here) and the version, so the client only needs
// to understand the API server's Status replies (401, 403, 404, ...).
func KubeClient(cfg *rest.Config) (rest.Interface, error) {
	c := rest.CopyConfig(cfg)
	c.APIPath = "/api"
	c.GroupVersion = &schema.GroupVersion{Version: "v1"}
	c.NegotiatedSerializer = statusCodecs()
	if c.UserAgent == "" {
		c.UserAgent = rest.DefaultKubernetesUserAgent()
	}
	client, err := rest.RESTClientFor(c)
	if err != nil {
		return nil, fmt.Errorf("a Kubernetes client for %s: %w", cfg.Host, err)
	}
	return client, nil
}

// statusCodecs decodes metav1.Status, so the API server's refusals become
// errors apierrors recognises, with the server's own message.
func statusCodecs() runtime.NegotiatedSerializer {
	scheme := runtime.NewScheme()
	metav1.AddToGroupVersion(scheme, schema.GroupVersion{Version: "v1"})
	return serializer.NewCodecFactory(scheme).WithoutConversion()
}

// ServerVersion is the API server's version (GET /version, gitVersion).
func ServerVersion(ctx context.Context, client rest.Interface) (string, error) {
	res := client.Get().AbsPath("/version").Do(ctx)
	if err := res.Error(); err != nil {
		return "", err
	}
	raw, err := res.Raw()
	if err != nil {
		return "", err
	}
	var v struct {
		GitVersion string `json:"gitVersion"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", fmt.Errorf("decoding the API server's version: %w", err)
	}
	return v.GitVersion, nil
}
