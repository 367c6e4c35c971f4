package eksami

import (
	"strings"
	"testing"
)

// The error names every form ParseDate accepts, the AMI names' dotted
// form included.
func TestParseDateErrorNamesEveryForm(t *testing.T) {
	_, err := ParseDate("2025/01/15")
	if err == nil {
		t.Fatal("2025/01/15 accepted")
	}
	for _, form := range []string{"YYYY-MM-DD", "YYYY.MM.DD", "1.35-2025.01.15"} {
		if !strings.Contains(err.Error(), form) {
			t.Errorf("error %q does not name %s", err, form)
		}
	}
}
