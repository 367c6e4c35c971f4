package catalog

import (
	"encoding/json"
	"testing"

	"github.com/winami/winami/pkg/eksami"
)

func TestKubernetesCandidates(t *testing.T) {
	if got := kubernetesCandidates(23, 40); len(got) != 18 || got[0] != "1.23" || got[17] != "1.40" {
		t.Errorf("candidates = %v", got)
	}
}

func TestReleaseJSONShape(t *testing.T) {
	d, _ := eksami.ParseDate("2025-01-15")
	k := eksami.Key{Windows: "2022", Edition: "Core", Kubernetes: "1.35"}
	r := Release{Region: "us-east-1", Key: k, AMIID: "ami-1", Name: k.AMIName(d), Description: "not shown",
		ReleaseVersion: k.ReleaseVersion(d), ReleaseDate: d, Latest: true, CreationDate: "2025-01-16T00:00:00.000Z"}
	got, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"region":"us-east-1","windows":"2022","edition":"Core","kubernetes":"1.35","amiId":"ami-1",` +
		`"name":"Windows_Server-2022-English-Core-EKS_Optimized-1.35-2025.01.15","releaseVersion":"1.35-2025.01.15",` +
		`"releaseDate":"2025-01-15","latest":true,"creationDate":"2025-01-16T00:00:00.000Z"}`
	if string(got) != want {
		t.Errorf("JSON\n got %s\nwant %s", got, want)
	}
	// An SSM-only answer without metadata has no date, name or creation date.
	got, _ = json.Marshal(Release{Region: "us-east-1", Key: k, AMIID: "ami-1", Latest: true})
	want = `{"region":"us-east-1","windows":"2022","edition":"Core","kubernetes":"1.35","amiId":"ami-1","latest":true}`
	if string(got) != want {
		t.Errorf("JSON\n got %s\nwant %s", got, want)
	}
}
