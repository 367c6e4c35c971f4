package ec2

import (
	"slices"
	"testing"

	"github.com/winami/winami/sandbox/protocol"
	"github.com/winami/winami/sandbox/world"
)

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "anything", true},
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"ABC", "abc", false}, // case-sensitive
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a*c", "ac", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbbd", false},
		{"*-1.35-*", "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2026.11.11", true},
		{"*-1.35-*", "Windows_Server-2022-English-Core-EKS_Optimized-1.36-2026.11.11", false},
		{"Windows_Server-2022-*-EKS_Optimized-1.3?-2026.11.11", "Windows_Server-2022-English-Full-EKS_Optimized-1.31-2026.11.11", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{`a\*c`, "a*c", true},
		{`a\*c`, "abc", false},
		{`a\?c`, "a?c", true},
		{`a\?c`, "abc", false},
		{`a\\c`, `a\c`, true},
		{`a\`, `a\`, true},
		{"**", "x", true},
		{"日?", "日本", true},
	}
	for _, c := range cases {
		if got := globMatch(c.pattern, c.s); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestMatchAllOrsValuesAndAndsFilters(t *testing.T) {
	img := &world.Image{ImageID: "ami-0123456789abcdef0", Name: "Windows_Server-2022-x", Platform: "windows", Architecture: "x86_64"}
	values := func(name string) []string { return imageValues(img, name, false) }
	cases := []struct {
		filters []protocol.Filter
		want    bool
	}{
		{nil, true},
		{[]protocol.Filter{{Name: "name", Values: []string{"nope", "Windows_Server-*"}}}, true},
		{[]protocol.Filter{{Name: "name", Values: []string{"nope"}}}, false},
		{[]protocol.Filter{{Name: "name", Values: []string{"Windows_Server-*"}}, {Name: "platform", Values: []string{"windows"}}}, true},
		{[]protocol.Filter{{Name: "name", Values: []string{"Windows_Server-*"}}, {Name: "architecture", Values: []string{"arm64"}}}, false},
		{[]protocol.Filter{{Name: "kernel-id", Values: []string{"*"}}}, false}, // no kernel: nothing to match
		{[]protocol.Filter{{Name: "name", Values: nil}}, false},
	}
	for i, c := range cases {
		if got := matchAll(c.filters, values); got != c.want {
			t.Errorf("case %d: matchAll(%v) = %v, want %v", i, c.filters, got, c.want)
		}
	}
}

func TestTagsAreTheOwnersOnly(t *testing.T) {
	img := &world.Image{Tags: map[string]string{"team": "a", "Name": "b"}}
	if got := imageValues(img, "tag:team", true); !slices.Equal(got, []string{"a"}) {
		t.Errorf("owner sees tag:team = %v", got)
	}
	if got := imageValues(img, "tag-key", true); !slices.Equal(got, []string{"Name", "team"}) {
		t.Errorf("owner sees tag-key = %v", got)
	}
	if got := imageValues(img, "tag:team", false); got != nil {
		t.Errorf("another account sees tag:team = %v", got)
	}
	if got := imageValues(img, "tag-key", false); got != nil {
		t.Errorf("another account sees tag-key = %v", got)
	}
}

func TestFilterNames(t *testing.T) {
	validImageFilter := (&describeSpec[*world.Image]{filterNames: imageFilterNames, tagFilters: true}).validFilter
	for _, name := range []string{"name", "owner-alias", "is-public", "tag:Name", "tag-key", "block-device-mapping.snapshot-id"} {
		if !validImageFilter(name) {
			t.Errorf("%s refused", name)
		}
	}
	for _, name := range []string{"Name", "bogus", "tag:", "owner"} {
		if validImageFilter(name) {
			t.Errorf("%s accepted", name)
		}
	}
	err := checkFilters([]protocol.Filter{{Name: "name"}, {Name: "bogus"}}, validImageFilter)
	if err == nil || err.Error() != "InvalidParameterValue: The filter 'bogus' is invalid" {
		t.Errorf("got %v", err)
	}
}

func TestValidUser(t *testing.T) {
	for _, u := range []string{"self", "amazon", "all", "111122223333"} {
		if !validUser(u) {
			t.Errorf("%s refused", u)
		}
	}
	for _, u := range []string{"", "Amazon", "11112222333", "11112222333x", "me"} {
		if validUser(u) {
			t.Errorf("%q accepted", u)
		}
	}
}
