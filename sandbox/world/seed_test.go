package world

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestSeedIsDeterministic(t *testing.T) {
	a, err := json.Marshal(Seed(42))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(Seed(42))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two worlds of seed 42 differ")
	}
}

func TestSeedsDifferInAMIIDs(t *testing.T) {
	ids := func(w *World) map[string]bool {
		out := map[string]bool{}
		for _, r := range w.Regions {
			for id := range r.Images {
				out[id] = true
			}
		}
		return out
	}
	one, two := ids(Seed(1)), ids(Seed(2))
	for id := range one {
		if two[id] {
			t.Errorf("AMI %s appears in the worlds of seed 1 and seed 2", id)
		}
	}
}

func TestSeedShape(t *testing.T) {
	w := Seed(1)
	if w.AccountID != "111122223333" {
		t.Errorf("account = %s", w.AccountID)
	}
	want := []string{"ap-northeast-1", "ap-south-1", "ap-southeast-1", "eu-central-1", "eu-west-1", "us-east-1", "us-west-2"}
	var got []string
	for name := range w.Regions {
		got = append(got, name)
	}
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("regions = %v, want %v", got, want)
	}
	keys := EKSWindowsKeys()
	if len(keys) != 28 {
		t.Fatalf("%d EKS Windows keys, want 2019+2022 x Core/Full x 1.31-1.36 (24) + 2025 x Core/Full x 1.35-1.36 (4)", len(keys))
	}
	idRE := regexp.MustCompile(`^ami-[0-9a-f]{17}$`)
	nameRE := regexp.MustCompile(`^Windows_Server-(2019|2022|2025)-English-(Core|Full)-EKS_Optimized-1\.3[1-6]-2026\.(08|09|10|11)\.\d\d$`)
	seen := map[string]string{}
	for _, r := range w.Regions {
		eks := 0
		for id, img := range r.Images {
			if !idRE.MatchString(id) || img.ImageID != id {
				t.Errorf("%s: bad AMI ID %q (keyed %q)", r.Name, img.ImageID, id)
			}
			if other, dup := seen[id]; dup {
				t.Errorf("AMI %s in %s and %s", id, other, r.Name)
			}
			seen[id] = r.Name
			if !strings.Contains(img.Name, "EKS_Optimized") {
				continue
			}
			eks++
			if !nameRE.MatchString(img.Name) {
				t.Errorf("bad EKS AMI name %q", img.Name)
			}
			if img.OwnerID != "801119661308" || img.OwnerAlias != "amazon" || !img.Public ||
				img.Platform != "windows" || img.PlatformDetails != "Windows" || img.UsageOperation != "RunInstances:0002" ||
				img.Architecture != "x86_64" || img.RootDeviceName != "/dev/sda1" || len(img.BlockDevices) != 1 ||
				!strings.HasPrefix(img.BlockDevices[0].SnapshotID, "snap-") {
				t.Errorf("EKS AMI %s lacks Amazon's attributes: %+v", img.Name, img)
			}
			stamp := img.Name[len(img.Name)-len("2026.11.11"):]
			rel, err := time.Parse("2006.01.02", stamp)
			if err != nil {
				t.Fatal(err)
			}
			if d := img.CreationDate.Sub(rel); d < time.Hour || d > 12*time.Hour {
				t.Errorf("%s created %s, %s after its release date", img.Name, img.CreationDate, d)
			}
		}
		if eks != 28*4 {
			t.Errorf("%s has %d EKS Windows AMIs, want %d", r.Name, eks, 28*4)
		}
	}
}

func TestReleaseDatesFollowPatchTuesday(t *testing.T) {
	var got []string
	for _, d := range ReleaseDates() {
		got = append(got, ReleaseStamp(d))
	}
	// Patch Tuesdays 2026: Aug 11, Sep 8, Oct 13, Nov 10.
	want := "2026.08.12 2026.09.09 2026.10.14 2026.11.11"
	if strings.Join(got, " ") != want {
		t.Errorf("release dates %v, want %s", got, want)
	}
}

// Every region's parameters name the newest AMI of their key in that region.
func TestLatestParametersPointAtNewestAMI(t *testing.T) {
	w := Seed(7)
	newest := ReleaseStamp(ReleaseDates()[3])
	for _, r := range w.Regions {
		byName := map[string]*Image{}
		for _, img := range r.Images {
			byName[img.Name] = img
		}
		for _, k := range EKSWindowsKeys() {
			base := WindowsLatestPath + "/" + k.ParameterName()
			p := r.Parameters[base+"/image_id"]
			if p == nil {
				t.Fatalf("%s: no %s/image_id", r.Name, base)
			}
			img := byName[k.AMIName(ReleaseDates()[3])]
			if img == nil || p.Value != img.ImageID {
				t.Errorf("%s: %s/image_id = %s, want the AMI of release %s", r.Name, base, p.Value, newest)
				continue
			}
			if p.DataType != "aws:ec2:image" || p.OwnerAccount != "" {
				t.Errorf("%s: image_id parameter %+v", r.Name, p)
			}
			var doc eksReleaseDoc
			if err := json.Unmarshal([]byte(r.Parameters[base].Value), &doc); err != nil {
				t.Fatalf("%s: %s is not JSON: %v", r.Name, base, err)
			}
			want := eksReleaseDoc{ImageID: img.ImageID, ImageName: img.Name, ReleaseVersion: k.Kubernetes + "-" + newest}
			if doc != want {
				t.Errorf("%s: %s = %+v, want %+v", r.Name, base, doc, want)
			}
		}
		for code := range w.Regions {
			if p := r.Parameters[RegionsPath+"/"+code]; p == nil || p.Value != code {
				t.Errorf("%s: region parameter for %s = %+v", r.Name, code, p)
			}
			if p := r.Parameters[RegionsPath+"/"+code+"/longName"]; p == nil || p.Value == "" {
				t.Errorf("%s: no longName for %s", r.Name, code)
			}
		}
	}
}

func TestAccountImages(t *testing.T) {
	r := Seed(1).Region("us-east-1")
	var own, shared, hidden int
	for _, img := range r.Images {
		switch {
		case img.OwnerID == DefaultAccountID && img.Name == BadAMIName:
			if !img.NodesNeverReady || img.Public || len(img.Tags) == 0 || img.OSBuild == "" {
				t.Errorf("bad image %+v", img)
			}
		case img.OwnerID == DefaultAccountID:
			own++
			if img.Public || img.Tags["Name"] == "" || !strings.HasPrefix(img.Name, "winami-demo-") {
				t.Errorf("own image %+v", img)
			}
		case img.OwnerID == PartnerAccountID && len(img.LaunchPermissions) == 1 && img.LaunchPermissions[0] == DefaultAccountID:
			shared++
		case img.OwnerID == PartnerAccountID:
			hidden++
		}
	}
	if own != 1 || shared != 1 || hidden != 1 {
		t.Errorf("own %d, shared %d, hidden %d; want one each", own, shared, hidden)
	}
}

// Every EKS optimized Windows AMI is deprecated four months after it was
// created (the EKS user guide's rule), and the other public Windows AMIs keep
// EC2's default of two years.
func TestEKSWindowsDeprecation(t *testing.T) {
	r := Seed(1).Region("us-east-1")
	eks, base := 0, 0
	for _, img := range r.Images {
		if img.OwnerID != AmazonWindowsOwnerID || img.DeprecationTime == nil {
			continue
		}
		got := *img.DeprecationTime
		switch {
		case strings.Contains(img.Name, "EKS_Optimized"):
			eks++
			want := time.Date(img.CreationDate.Year(), img.CreationDate.Month()+4, img.CreationDate.Day(),
				img.CreationDate.Hour(), img.CreationDate.Minute(), 0, 0, time.UTC)
			if !got.Equal(want) {
				t.Errorf("%s created %s: deprecation %s, want %s", img.Name, img.CreationDate, got, want)
			}
		case strings.HasSuffix(img.Name, "-2026.11.11"):
			base++
			if d := got.Sub(img.CreationDate); d < 729*24*time.Hour {
				t.Errorf("%s: deprecated %s after creation, want two years", img.Name, d)
			}
		}
	}
	if eks != 4*len(EKSWindowsKeys()) || base == 0 {
		t.Fatalf("checked %d EKS and %d base images", eks, base)
	}
	// The oldest release (2026-08-12) is deprecated in December 2026, the
	// newest (2026-11-11) in March 2027.
	for _, img := range r.Images {
		if img.Name == "Windows_Server-2022-English-Core-EKS_Optimized-1.35-2026.08.12" {
			if y, m := img.DeprecationTime.Year(), img.DeprecationTime.Month(); y != 2026 || m != time.December {
				t.Errorf("2026.08.12 deprecated %s", img.DeprecationTime)
			}
		}
	}
}
