package textdist

import "testing"

func TestLevenshtein(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"fastlaunch", "fastLaunch", 1},
		{"ExecutePowershel", "ExecutePowerShell", 2}, {"kitten", "sitting", 3},
	} {
		if got := Levenshtein(tc.a, tc.b); got != tc.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"winami-build", "legacy-build", "us-east-1"}
	for word, want := range map[string]string{
		"winami-buidl": "winami-build", // a swap is two edits
		"WINAMI-BUILD": "winami-build", // case is not a difference
		"us-east-9":    "us-east-1",
		"unrelated":    "",
	} {
		if got := Closest(word, names, 3); got != want {
			t.Errorf("Closest(%q) = %q, want %q", word, got, want)
		}
	}
}
