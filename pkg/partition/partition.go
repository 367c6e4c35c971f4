// Package partition is winami's table of AWS partitions: which region codes
// belong to which partition (aws, aws-cn, aws-us-gov, the isolated ones).
// It is data and one lookup, with no imports, so that both the SDK layer
// (pkg/awsapi) and offline code (pkg/spec) use the same table. The sandbox
// keeps its own copy (it shares no code with winami); test/partitions
// proves the two agree.
package partition

// Default is the partition of every region no row claims: the commercial
// partition, whose regions have many prefixes (us-, eu-, ap-, …).
const Default = "aws"

// Row says that the regions whose codes start with Prefix are in Partition.
type Row struct{ Prefix, Partition string }

// Rows returns the table, one row a non-commercial partition, as AWS's
// partition metadata defines their region codes. Prefixes overlap
// ("us-iso-" and "us-isob-" both start with "us-"): Of picks the longest.
func Rows() []Row {
	return []Row{
		{"cn-", "aws-cn"},
		{"us-gov-", "aws-us-gov"},
		{"us-iso-", "aws-iso"},
		{"us-isob-", "aws-iso-b"},
		{"eu-isoe-", "aws-iso-e"},
		{"us-isof-", "aws-iso-f"},
		{"eusc-", "aws-eusc"},
	}
}

// Of returns the partition of a region code: the row with the longest
// prefix of region, else Default. Resources, ARNs and AMIs never cross
// partitions.
func Of(region string) string {
	best, part := 0, Default
	for _, r := range Rows() {
		if len(r.Prefix) > best && len(region) >= len(r.Prefix) && region[:len(r.Prefix)] == r.Prefix {
			best, part = len(r.Prefix), r.Partition
		}
	}
	return part
}
