package world

import "strings"

// partitionPrefixes are the region-code prefixes of AWS's partitions other
// than aws, the commercial one (whose regions have many prefixes). The
// sandbox keeps its own table, written from AWS's partition metadata, rather
// than borrowing winami's: test/partitions checks that the two agree.
var partitionPrefixes = []struct{ prefix, partition string }{
	{"cn-", "aws-cn"},
	{"us-gov-", "aws-us-gov"},
	{"us-iso-", "aws-iso"},
	{"us-isob-", "aws-iso-b"},
	{"eu-isoe-", "aws-iso-e"},
	{"us-isof-", "aws-iso-f"},
	{"eusc-", "aws-eusc"},
}

// Partition is the ARN partition of a region code: the longest matching
// prefix's, else aws.
func Partition(region string) string {
	best, part := 0, "aws"
	for _, p := range partitionPrefixes {
		if len(p.prefix) > best && strings.HasPrefix(region, p.prefix) {
			best, part = len(p.prefix), p.partition
		}
	}
	return part
}

// PartitionPrefixes returns the table's prefixes, so that a test can check
// another table classifies a region of each partition the same way.
func PartitionPrefixes() []string {
	out := make([]string, len(partitionPrefixes))
	for i, p := range partitionPrefixes {
		out[i] = p.prefix
	}
	return out
}
