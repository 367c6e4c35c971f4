package awstoe

import (
	"testing"

	"github.com/winami/winami/test/awstoecorpus"
)

// TestCorpus: the sandbox's rules classify the shared corpus as AWS does,
// as winami's validator must too.
func TestCorpus(t *testing.T) { awstoecorpus.Check(t, "the sandbox", Check) }
