package pipeline

import "testing"

func TestPSQuote(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.20348.2849": "'10.0.20348.2849'",
		"it's":            "'it''s'",
		"a\u2019b":        "'a\u2019\u2019b'",
		"$env:PATH; rm":   "'$env:PATH; rm'",
		"":                "''",
	} {
		if got := psQuote(in); got != want {
			t.Errorf("psQuote(%q) = %q, want %q", in, got, want)
		}
	}
}
