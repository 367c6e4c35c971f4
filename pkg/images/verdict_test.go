package images

import (
	"encoding/json"
	"strings"
	"testing"
)

func win(v string) Platform { return Platform{OS: "windows", Architecture: "amd64", OSVersion: v} }

func TestParseHostBuild(t *testing.T) {
	good := map[string]HostBuild{
		"2019":            {Build: 17763},
		"2022":            {Build: 20348},
		"2025":            {Build: 26100},
		"ltsc2022":        {Build: 20348},
		"10.0.17763":      {Build: 17763},
		"10.0.20348.3328": {Build: 20348, Revision: 3328},
		"10.0.26100.0":    {Build: 26100},
	}
	for in, want := range good {
		got, err := ParseHostBuild(in)
		if err != nil || got != want {
			t.Errorf("ParseHostBuild(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2016", "win2022", "10.0", "10.0.x", "10.0.-1", "10.0.20348.x", "10.0.20348.1.2", "6.3.9600", "10.0.0", "10.1.20348"} {
		if got, err := ParseHostBuild(in); err == nil {
			t.Errorf("ParseHostBuild(%q) = %+v, want an error", in, got)
		}
	}
	if s := (HostBuild{Build: 20348, Revision: 5}).String(); s != "10.0.20348" {
		t.Errorf("String = %q", s)
	}
}

func TestDecide(t *testing.T) {
	linux := Platform{OS: "linux", Architecture: "amd64"}
	cases := []struct {
		name      string
		host      int
		platforms []Platform
		chosen    int    // -1: incompatible
		reason    string // substring of the reason
	}{
		{"2019 host, 2019 image", 17763, []Platform{win("10.0.17763.7009")}, 0, ""},
		{"2019 host, 2022 image", 17763, []Platform{win("10.0.20348.3328")}, -1,
			"built for 10.0.20348, a 10.0.17763 host runs only images built for 10.0.17763"},
		{"2022 host, 2022 image", 20348, []Platform{win("10.0.20348.3328")}, 0, ""},
		{"2022 host, 2019 image", 20348, []Platform{win("10.0.17763.7009")}, -1,
			"built for 10.0.17763, a 10.0.20348 host runs only images built for 10.0.20348"},
		{"2025 host, 2022 image", 26100, []Platform{win("10.0.20348.3328")}, 0, ""},
		{"2025 host, 2019 image", 26100, []Platform{win("10.0.17763.7009")}, -1,
			"built for 10.0.17763, a 10.0.26100 host runs only images built for 10.0.20348 to 10.0.26100"},
		{"2022 host, 2025 image", 20348, []Platform{win("10.0.26100.3476")}, -1,
			"built for 10.0.26100, a 10.0.20348 host runs only images built for 10.0.20348"},
		{"multi-build index on 2025 picks 2025", 26100,
			[]Platform{linux, win("10.0.17763.7009"), win("10.0.20348.3328"), win("10.0.26100.3476")}, 3, ""},
		{"multi-build index on 2022 picks 2022", 20348,
			[]Platform{win("10.0.26100.3476"), win("10.0.20348.3328"), win("10.0.17763.7009")}, 1, ""},
		{"multi-build index on 2019 picks 2019", 17763,
			[]Platform{win("10.0.26100.3476"), win("10.0.20348.3328"), win("10.0.17763.7009")}, 2, ""},
		{"multi-build index, highest revision of the best build", 26100,
			[]Platform{win("10.0.20348.9"), win("10.0.20348.3328"), win("10.0.20348.100")}, 1, ""},
		{"multi-build index, none fits", 17763,
			[]Platform{win("10.0.20348.3328"), win("10.0.26100.3476")}, -1,
			"built for 10.0.20348 and 10.0.26100, a 10.0.17763 host"},
		{"revision ignored (image newer revision than host)", 17763, []Platform{win("10.0.17763.99999")}, 0, ""},
		{"revision ignored (no revision)", 20348, []Platform{win("10.0.20348")}, 0, ""},
		{"Linux-only", 20348, []Platform{linux, {OS: "linux", Architecture: "arm64"}}, -1, "Linux-only image"},
		{"no platforms", 20348, nil, -1, "lists no platforms"},
		{"entries without platform", 20348, []Platform{{}, {}}, -1, "name no platform"},
		{"windows arm64 only", 26100, []Platform{{OS: "windows", Architecture: "arm64", OSVersion: "10.0.26100.1"}, linux}, -1,
			"no windows/amd64 entry (has windows/arm64:10.0.26100.1, linux/amd64)"},
		{"windows without os.version", 20348, []Platform{{OS: "windows", Architecture: "amd64"}}, -1, "has no os.version"},
		{"windows with a bad os.version", 20348, []Platform{win("6.3.9600")}, -1, "want 10.0.<build>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Decide(HostBuild{Build: c.host}, c.platforms)
			if c.chosen >= 0 {
				if !d.OK || d.Chosen != c.chosen || d.Reason != "" {
					t.Fatalf("Decide = %+v, want entry %d", d, c.chosen)
				}
				return
			}
			if d.OK || d.Chosen != -1 || !strings.Contains(d.Reason, c.reason) {
				t.Fatalf("Decide = %+v, want incompatible with %q", d, c.reason)
			}
		})
	}
}

func TestRuns(t *testing.T) {
	for _, c := range []struct {
		host, image int
		want        bool
	}{
		{17763, 17763, true}, {17763, 20348, false}, {17763, 14393, false},
		{20348, 20348, true}, {20348, 17763, false}, {20348, 26100, false},
		{26100, 20348, true}, {26100, 26100, true}, {26100, 22000, true}, {26100, 17763, false}, {26100, 26200, false},
	} {
		if got := (HostBuild{Build: c.host}).Runs(c.image); got != c.want {
			t.Errorf("host %d runs %d = %v, want %v", c.host, c.image, got, c.want)
		}
	}
}

// The host is one string in JSON, with the revision when it is known, and
// reads back.
func TestHostBuildJSON(t *testing.T) {
	for in, want := range map[string]string{"2022": `"10.0.20348"`, "10.0.20348.4391": `"10.0.20348.4391"`, "10.0.17763": `"10.0.17763"`} {
		h, err := ParseHostBuild(in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(Report{Host: h})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), `{"host":`+want+",") {
			t.Errorf("%s: %s, want host %s", in, b, want)
		}
		var back Report
		if err := json.Unmarshal(b, &back); err != nil || back.Host != h {
			t.Errorf("%s: read back %+v, %v", in, back.Host, err)
		}
	}
	var r Report
	if err := json.Unmarshal([]byte(`{"host": {"build": 20348}}`), &r); err == nil {
		t.Errorf("an object host was accepted")
	}
}
