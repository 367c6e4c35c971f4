package awstoe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusDir is the AWSTOE corpus shared with winami's validator, which must
// classify every document the same way.
const corpusDir = "../../testdata/awstoe-corpus"

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.yaml"))
	if err != nil || len(files) < 40 {
		t.Fatalf("the corpus at %s has %d documents (%v)", corpusDir, len(files), err)
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
		switch problems := Check(data); {
		case wantValid && len(problems) > 0:
			t.Errorf("%s: AWS accepts it, the sandbox refuses it: %v", name, problems)
		case !wantValid && len(problems) == 0:
			t.Errorf("%s: AWS refuses it, the sandbox accepts it", name)
		}
	}
}
