// Package schema holds winami.schema.json, the JSON Schema of winami.yaml
// (generated from pkg/spec's types: go generate ./pkg/spec), so that winami
// validates specs with the very file editors use.
package schema

import _ "embed"

//go:embed winami.schema.json
var winamiSchema []byte

// WinamiSpec returns the schema of winami.yaml, a JSON document. The
// caller gets its own copy.
func WinamiSpec() []byte { return append([]byte(nil), winamiSchema...) }
