package awsapi

import (
	"slices"

	"github.com/winami/winami/pkg/partition"
)

// Partition is the ARN partition of a region code (pkg/partition's table):
// resources, ARNs and AMIs never cross partitions.
func Partition(region string) string { return partition.Of(region) }

// KnownRegions returns the region codes winami knows (see knownRegions),
// for tests that check other tables against them.
func KnownRegions() []string { return slices.Clone(knownRegions) }
