// Package partitions checks that winami (pkg/partition, behind
// awsapi.Partition) and the sandbox (sandbox/world) put every region in the
// same partition. They keep separate tables on purpose (DESIGN.md §4: the
// sandbox shares no code with what it judges), so this test is what keeps
// them from drifting apart.
package partitions

import (
	"slices"
	"testing"

	"github.com/winami/winami/pkg/awsapi"
	"github.com/winami/winami/pkg/partition"
	"github.com/winami/winami/sandbox/world"
)

// regions is every region either side knows, plus one made-up region per
// prefix of either table, so that a row missing on one side fails here even
// when no listed region uses it.
func regions() []string {
	var out []string
	for r := range world.Seed(1).Regions {
		out = append(out, r)
	}
	out = append(out, awsapi.KnownRegions()...)
	for _, r := range partition.Rows() {
		out = append(out, r.Prefix+"test-1")
	}
	for _, p := range world.PartitionPrefixes() {
		out = append(out, p+"test-1")
	}
	// Commercial regions of several prefixes, and a code no table names.
	out = append(out, "us-test-1", "eu-test-1", "ap-test-1", "xx-test-1")
	slices.Sort(out)
	return slices.Compact(out)
}

func TestPartitionsAgree(t *testing.T) {
	rs := regions()
	if len(rs) < 40 {
		t.Fatalf("only %d regions to compare; are the region lists empty?", len(rs))
	}
	for _, r := range rs {
		if product, sandbox := awsapi.Partition(r), world.Partition(r); product != sandbox {
			t.Errorf("%s: winami says partition %s, the sandbox %s", r, product, sandbox)
		}
	}
}

// Each partition of the product's table is reached by some region, and so
// is the commercial one: an agreement over regions of one partition only
// would prove little.
func TestEveryPartitionCompared(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range regions() {
		seen[awsapi.Partition(r)] = true
	}
	for _, row := range append(partition.Rows(), partition.Row{Partition: partition.Default}) {
		if !seen[row.Partition] {
			t.Errorf("no region of partition %s compared", row.Partition)
		}
	}
}
