package partition

import "testing"

func TestOf(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "eu-west-1": "aws", "ap-southeast-7": "aws", "mx-central-1": "aws", "il-central-1": "aws",
		"cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn",
		"us-gov-west-1": "aws-us-gov", "us-gov-east-1": "aws-us-gov",
		"us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b", "us-isof-south-1": "aws-iso-f",
		"eu-isoe-west-1": "aws-iso-e", "eusc-de-east-1": "aws-eusc",
		"": "aws",
	} {
		if got := Of(region); got != want {
			t.Errorf("Of(%q) = %s, want %s", region, got, want)
		}
	}
}

// Every row is reachable: no prefix is shadowed by a longer one with the
// same text, and each row's own prefix maps to its partition.
func TestRowsReachable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rows() {
		if seen[r.Prefix] {
			t.Errorf("prefix %q listed twice", r.Prefix)
		}
		seen[r.Prefix] = true
		if got := Of(r.Prefix + "x-1"); got != r.Partition {
			t.Errorf("Of(%q) = %s, want %s", r.Prefix+"x-1", got, r.Partition)
		}
	}
}
