// Package manifest decodes multi-document Kubernetes YAML strictly, for
// the tests of what winami ships (deploy/ manifests, the Helm chart).
package manifest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"k8s.io/apimachinery/pkg/util/yaml"
)

// Decode reads every document of data (name says which file in errors)
// into what into gives for its kind and apiVersion, refusing a field the
// type does not have. into returns nil for a kind that should not be
// there, which fails the test; empty documents are skipped.
func Decode(t testing.TB, name string, data []byte, into func(kind, apiVersion string) any) {
	t.Helper()
	r := yaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		js, err := yaml.ToJSON(doc)
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, doc)
		}
		if s := string(bytes.TrimSpace(js)); s == "null" || s == "" {
			continue
		}
		var meta struct{ APIVersion, Kind string }
		if err := json.Unmarshal(js, &meta); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		obj := into(meta.Kind, meta.APIVersion)
		if obj == nil {
			t.Fatalf("%s: unexpected kind %q", name, meta.Kind)
		}
		dec := json.NewDecoder(bytes.NewReader(js))
		dec.DisallowUnknownFields()
		if err := dec.Decode(obj); err != nil {
			t.Fatalf("%s: %s: %v\n%s", name, meta.Kind, err, doc)
		}
	}
}
