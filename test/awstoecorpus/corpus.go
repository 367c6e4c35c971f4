// Package awstoecorpus runs a validator over the shared AWSTOE corpus
// (testdata/awstoe-corpus): documents named valid- or invalid- after how AWS
// classifies them. winami's validator and the sandbox's own rules each run it,
// so neither can drift from AWS without a test naming the document. It holds
// the corpus's reading rules only; each side brings its own validator.
package awstoecorpus

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Dir is the corpus, found from this file so any test package can use it.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "awstoe-corpus")
}

// Check classifies every document with problems (its problems, none when it
// accepts the document) and fails for each one who classifies unlike AWS.
func Check[P any](t *testing.T, who string, problems func([]byte) []P) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(Dir(), "*.yaml"))
	if err != nil || len(files) < 40 {
		t.Fatalf("the corpus at %s has %d documents (%v)", Dir(), len(files), err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		wantValid := strings.HasPrefix(name, "valid-")
		if !wantValid && !strings.HasPrefix(name, "invalid-") {
			t.Errorf("%s: a corpus document's name starts with valid- or invalid-", name)
			continue
		}
		header := "# expect: invalid"
		if wantValid {
			header = "# expect: valid"
		}
		if !strings.HasPrefix(string(data), header) {
			t.Errorf("%s: the first line must begin %q, as its name says", name, header)
		}
		switch p := problems(data); {
		case wantValid && len(p) > 0:
			t.Errorf("%s: AWS accepts it, %s refuses it: %v", name, who, p)
		case !wantValid && len(p) == 0:
			t.Errorf("%s: AWS refuses it, %s accepts it", name, who)
		}
	}
}
