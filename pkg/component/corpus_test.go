package component

import (
	"testing"

	"github.com/winami/winami/test/awstoecorpus"
)

// TestCorpus: winami's validator classifies the shared corpus as AWS does,
// as the sandbox's own rules (sandbox/awstoe) must too.
func TestCorpus(t *testing.T) { awstoecorpus.Check(t, "winami", Validate) }
