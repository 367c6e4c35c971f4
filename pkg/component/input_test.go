package component

import (
	"strings"
	"testing"
)

const smallDoc = "name: c\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: S\n        action: ExecutePowerShell\n        inputs:\n          commands: [Write-Host hi]\n"

// TestValidateInput: a byte order mark and a %YAML directive are valid
// YAML; shapes that make the parser's cost explode are refused first.
func TestValidateInput(t *testing.T) {
	for name, doc := range map[string]string{"BOM": "\xef\xbb\xbf" + smallDoc, "directive": "%YAML 1.2\n---\n" + smallDoc} {
		if p := Validate([]byte(doc)); len(p) > 0 {
			t.Errorf("%s: %v", name, p)
		}
	}
	p := Validate([]byte(smallDoc + "description: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"))
	if len(p) != 1 || !strings.Contains(p[0].Message, "nesting depth") || p[0].Line != 10 {
		t.Errorf("deeply nested: %v; want one problem naming the nesting limit at line 10", p)
	}
}
